"""Compiling rule packs into durable-rules rulesets, and running them where facts change.

Rules run twice, never per (client, service) pair: the client side once per assessment
(which rules are active for this client) and the service side once per service version
(which rules a service triggers: its *tags*, cached by ``Catalog.serial``). The join of
the two, plus the ``match.*`` conditions, is plain Python in :mod:`.propose`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from freechoice.catalog import Catalog, RuleError
from freechoice.catalog.compact import PARTIAL_FIELDS, ServiceCard
from freechoice.rules import Rule, RulePack, core_pack, default_pack, load_pack, pack_version
from freechoice.rules.schema import CLIENT_FIELDS, SERVICE_FIELDS

from .assessment import Assessment
from .durable import RuleHost
from .facts import client_fact, compile_side, service_fact

__all__ = ["CompiledRules", "compile_rules", "load_rules", "render_text", "text_fields"]

_PLACEHOLDER = re.compile(r"\{(client|service|match)\.([a-z_][a-z0-9_.]*)\}")
_BATCH = 500


def _readable(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(str(v) for v in value)
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _lookup_parts(obj: Any, parts: tuple[str, ...]) -> Any:
    if isinstance(obj, ServiceCard) and parts[0] in PARTIAL_FIELDS:
        obj = obj.full()  # the card keeps only part of it
    for part in parts:
        if obj is None:
            return None
        if isinstance(obj, Mapping):
            try:  # by subscription: match facts are worked out when first read
                obj = obj[part]
            except KeyError:
                obj = None
        else:
            obj = getattr(obj, part, None)
    return obj


@lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[str, tuple[tuple[str, tuple[str, ...], str], ...]]:
    """A rule text split once at its placeholders: the text before the first, then per
    placeholder its root (client, service, match), its path and the text after it."""
    pieces = _PLACEHOLDER.split(template)  # text, (root, path, text)*
    return pieces[0], tuple(
        (pieces[i], tuple(pieces[i + 1].split(".")), pieces[i + 2]) for i in range(1, len(pieces), 3)
    )


def text_fields(template: str) -> tuple[tuple[str, str], ...]:
    """The placeholders of a rule text, in order: (root, dotted path), e.g. ("match", "full_until")."""
    return tuple((root, ".".join(path)) for root, path, _ in _parsed(template)[1])


def render_text(template: str, *, client: Any = None, service: Any = None, match: Any = None) -> str:
    """Fill ``{client.x}``, ``{service.x}`` and ``{match.x}`` placeholders of a rule text."""
    if "{" not in template:
        return template
    head, rest = _parsed(template)
    if not rest:
        return template
    roots = {"client": client, "service": service, "match": match}
    out = [head]
    for root, path, after in rest:
        out.append(_readable(_lookup_parts(roots[root], path)))
        out.append(after)
    return "".join(out)


def _texts(rule: Rule) -> list[str]:
    e = rule.then
    return [t for t in (e.exclude, e.caution, e.on_request, e.reason) if t]


class CompiledRules:
    """One or more rule packs compiled to durable-rules, with a per-service tag cache.

    Thread-safe: durable-rules calls go through :class:`~.durable.RuleHost`'s process
    lock; the tag cache has its own lock.
    """

    def __init__(self, packs: Sequence[RulePack]) -> None:
        self.packs = list(packs)
        self.version = pack_version(*self.packs)
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for pack in self.packs:
            for rule in pack.rules:
                if rule.id in seen:
                    raise RuleError(f"rule id {rule.id!r} is in both pack {seen[rule.id]!r} and {pack.pack!r}")
                seen[rule.id] = pack.pack
                for text in _texts(rule):
                    bad = re.findall(r"\{(?!(?:client|service|match)\.)[^}]*\}", text)
                    if bad:
                        raise RuleError(
                            f"rule {rule.id!r}: placeholder(s) {bad} must start with client., service. or match."
                        )
                rules.append(rule)
        self.rules = rules
        self.by_id = {r.id: r for r in rules}
        self.pack_of = seen
        client_patterns: dict[str, dict[str, Any]] = {}
        service_patterns: dict[str, dict[str, Any]] = {}
        for r in rules:
            try:
                if r.when.client:
                    client_patterns[r.id] = compile_side(r.when.client, CLIENT_FIELDS)
                if r.when.service:
                    service_patterns[r.id] = compile_side(r.when.service, SERVICE_FIELDS)
            except ValueError as err:
                raise RuleError(f"rule {r.id!r}: {err}") from None
        self._client_conditional = set(client_patterns)
        self._service_conditional = set(service_patterns)
        rulesets = {}
        if client_patterns:
            rulesets["client"] = client_patterns
        if service_patterns:
            rulesets["service"] = service_patterns
        self._host = RuleHost(rulesets) if rulesets else None
        self._tags: dict[int, frozenset[str]] = {}
        self._shared: dict[frozenset[str], frozenset[str]] = {}  # one object per distinct tag set
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ client side
    def active_rules(self, assessment: Assessment, *, age_of_majority: int = 18) -> list[Rule]:
        """The rules whose client conditions hold for ``assessment``, in pack order
        (``minor``: under ``age_of_majority``)."""
        fired: set[str] = set()
        if self._client_conditional and self._host is not None:
            fact = client_fact(assessment, age_of_majority=age_of_majority)
            fired = {rid for rid, _ in self._host.evaluate("client", [fact])}
        return [r for r in self.rules if r.id not in self._client_conditional or r.id in fired]

    # ------------------------------------------------------------------ service side
    def service_tags(self, catalog: Catalog, service_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """For each service, the ids of rules whose service conditions it meets (cached)."""
        out: dict[str, frozenset[str]] = {}
        missing: list[tuple[str, int]] = []
        with self._lock:
            for sid in service_ids:
                serial = catalog.serial(sid)
                tags = self._tags.get(serial)
                if tags is None:
                    missing.append((sid, serial))
                else:
                    out[sid] = tags
        if missing:
            fresh = {sid: self._share(tags) for sid, tags in self._evaluate_services(catalog, missing).items()}
            with self._lock:
                self._tags.update({serial: fresh[sid] for sid, serial in missing})
                if len(self._tags) > 2 * catalog.held() + 1024:
                    live = catalog.held_serials()
                    self._tags = {k: v for k, v in self._tags.items() if k in live}
            out.update(fresh)
        return out

    def _share(self, tags: frozenset[str]) -> frozenset[str]:
        return self._shared.setdefault(tags, tags)

    def seed_tags(self, catalog: Catalog, tags: Mapping[str, frozenset[str]]) -> None:
        """Take ``tags`` (service id -> rule ids, for the services as ``catalog`` holds them
        now, e.g. from a snapshot) as computed."""
        with self._lock:
            for sid, t in tags.items():
                self._tags[catalog.serial(sid)] = self._share(t)

    def tag_cache(self) -> dict[int, frozenset[str]]:
        """A copy of the tags computed so far, by the catalog serial they were computed
        for (plain data: for a process forked with that very catalog, :meth:`adopt_tags`)."""
        with self._lock:
            return dict(self._tags)

    def adopt_tags(self, cache: dict[int, frozenset[str]]) -> None:
        """Take another compilation's :meth:`tag_cache` of the same rules version, made
        on the very catalog object this one is asked about (its serials are the same),
        as computed: in one step, not service by service. With nothing cached yet the
        dict itself becomes the cache (not copied: in a forked worker its pages stay
        shared with the parent's), so hand each compilation a cache of its own."""
        with self._lock:
            if self._tags:
                self._tags.update(cache)
            else:
                self._tags = cache
            self._shared.update((t, t) for t in set(cache.values()))

    def _evaluate_services(self, catalog: Catalog, items: list[tuple[str, int]]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {sid: set() for sid, _ in items}
        if self._service_conditional and self._host is not None:
            for i in range(0, len(items), _BATCH):
                facts = [service_fact(catalog.card(sid)) for sid, _ in items[i : i + _BATCH]]
                for rid, sid in self._host.evaluate("service", facts):
                    found[sid].add(rid)
        return {sid: frozenset(tags) for sid, tags in found.items()}

    def prepare(self, catalog: Catalog) -> None:
        """Tag every active service the catalog holds now (otherwise tags are computed on
        first use; a database-backed catalog: those in its cache)."""
        self.service_tags(catalog, catalog.held_active_ids())

    def service_conditional(self, rule_id: str) -> bool:
        return rule_id in self._service_conditional


def compile_rules(*packs: RulePack, include_core: bool = True) -> CompiledRules:
    """Compile rule packs; the core pack (client hard limits) goes first unless told not to."""
    chosen = list(packs)
    if include_core and not any(p.pack == "core" for p in chosen):
        chosen.insert(0, core_pack())
    return CompiledRules(chosen)


def load_rules(path: str | Path | None = None) -> CompiledRules:
    """The default pack (or the YAML pack at ``path``), compiled with the core pack."""
    return compile_rules(default_pack() if path is None else load_pack(path))
