"""Pathways: the steps before an option and the onward referrals after it.

Every step obeys the client's limits exactly as an option does: a step's provider is
a service the rules left in (so it brings no refused contact), an onward referral to
a service the rules leave out is not offered, and a step whose kind itself means
meeting a party the client refused (filing a police report means the police), or
whose every provider is ruled out by the client's no-contact limit, *blocks* the
option: it moves to the need's near misses, excluded by the core rule
``limits-hold-through-pathways`` with the step and the limit named. No service is its
own prerequisite: a kind the service offers itself is never a step before it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from freechoice.catalog import SERVICE_KINDS

from .compile import render_text
from .options import Step, built
from .predicates import _join, contact_parties
from .text.markers import N_

__all__ = [
    "BLOCKED_RULE",
    "Pathway",
    "STEP_TEXTS",
    "blocked_text",
    "onward",
    "prerequisites",
    "walk",
    "write_steps",
]

#: the words of a step (``kind``: the kind's label, lower-cased)
STEP_TEXTS = {
    "first": N_("First: {kind} with {provider} ({service})"),
    "first-why": N_("First: {kind} with {provider} ({service}). {why}"),
    "first-none": N_("First: {kind}. No service you can use was found nearby; your caseworker can help"),
    "first-none-why": N_("First: {kind}. No service you can use was found nearby; your caseworker can help. {why}"),
    "then": N_("Then: can refer you on to {provider} ({service})"),
    "then-if-needed": N_("Then, if needed: {kind} with {provider} ({service})"),
}

#: the core rule whose text an option blocked by a step carries
BLOCKED_RULE = "limits-hold-through-pathways"
_NO_CONTACT_RULE = "no-contact-hard-limit"


class Pathway(NamedTuple):
    """The steps before an option, and what blocks it: (step noun, refused parties) per blocked step."""

    steps: list[Step]
    blocked: list[tuple[str, frozenset[str]]]


def _step(
    *,
    kind: str,
    text: str,
    when: str,
    provider: Any = None,
    org_name: str | None = None,
    rule: str | None = None,
    cautions: list[Any] | None = None,
) -> Step:
    svc = provider.service if provider is not None else None
    return built(
        Step,
        {
            "kind": kind,
            "text": text,
            "when": when,
            "service_id": svc.id if svc is not None else None,
            "service_name": svc.name if svc is not None else None,
            "provider_name": org_name,
            "rule": rule,
            "cautions": list(cautions or []),
        },
    )


def _kind_block(req: Any, kind: str) -> frozenset[str]:
    """Refused parties that stand in the way of any step of ``kind`` (empty: not blocked).
    Only while the rule ``limits-hold-through-pathways`` is in the active packs."""
    refused = req.cv.no_contact
    if not refused or BLOCKED_RULE not in req.rules.by_id:
        return frozenset()
    implied = refused.intersection(SERVICE_KINDS[kind].implies_contact)
    if implied:
        return frozenset(implied)
    known = req.kind_blocks.get(kind)
    if known is None:
        # the rules' verdicts alone (a no-contact exclusion), so one answer per kind and request
        cands = req.kind_candidates(kind)
        req.evaluate(cands)
        parties: set[str] = set()
        for sid in cands:
            ev = req.evals[sid]
            if any(rid == _NO_CONTACT_RULE for rid, _ in ev.excluded):
                parties |= contact_parties(ev.service) & refused
        known = req.kind_blocks[kind] = frozenset(parties)
    parties_in_way: frozenset[str] = known
    if parties_in_way and req.provider_for(kind) is None:
        return parties_in_way
    return frozenset()


def prerequisites(req: Any, ev: Any) -> Pathway:
    """The steps before one option (``req`` is the propose request, ``ev`` the option's
    evaluation). Recursion follows ``requires`` edges only, which the graph keeps acyclic."""
    walked, blocked = walk(req, ev)
    return Pathway(write_steps(req, ev, walked), blocked)


_NOTHING: tuple[list[tuple[str, Any]], list[tuple[str, frozenset[str]]]] = ([], [])  # never changed


def walk(req: Any, ev: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, frozenset[str]]]]:
    """The walk behind :func:`prerequisites` without writing the steps: each step's
    (kind, provider or None) in the order the steps come, and what blocks the option.
    Enough to decide whether a service can be offered; :func:`write_steps` writes the
    steps of the options that are built from it (as they were when the walk was made)."""
    graph = req.graph
    first = graph.service_requires(ev.service.id)
    if not first and not ev.required:
        return _NOTHING  # most services: no step before them
    own = set(ev.service.kinds)
    walked: list[tuple[str, Any]] = []
    blocked: list[tuple[str, frozenset[str]]] = []
    seen: set[str] = set()
    required = {k for k, _, _ in ev.required}

    def visit(kind: str, stack: tuple[str, ...]) -> None:
        if kind in seen or kind in req.satisfied or kind in stack or kind in own:
            return
        seen.add(kind)
        parties = _kind_block(req, kind)
        if parties:
            blocked.append((SERVICE_KINDS[kind].step_noun, parties))
            return
        provider = req.provider_for(kind)
        deeper = set(graph.kind_requires(kind))
        if provider is not None:  # what the step's provider does itself is no step of its own
            deeper = (deeper - set(provider.service.kinds)) | set(graph.service_requires(provider.service.id))
        for k in sorted(deeper):
            visit(k, (*stack, kind))
        walked.append((kind, provider))

    for kind in sorted(set(first) | required):
        visit(kind, ())
    return walked, blocked


def write_steps(req: Any, ev: Any, walked: list[tuple[str, Any]]) -> list[Step]:
    """The steps of a :func:`walk`, in its order."""
    if not walked:
        return []  # most services: no step before them
    rule_for: dict[str, tuple[str, str]] = {k: (rid, text) for k, rid, text in ev.required}
    before: list[Step] = []
    for kind, provider in walked:
        label = SERVICE_KINDS[kind].label
        rid, why = rule_for.get(kind, (None, ""))
        if provider is not None:
            org = req.catalog.organization(provider.service.organization_id)
            text = STEP_TEXTS["first-why" if why else "first"].format(
                kind=label.lower(), provider=org.name, service=provider.service.name, why=why
            )
            before.append(
                _step(
                    kind=kind,
                    text=text,
                    when="before",
                    provider=provider,
                    org_name=org.name,
                    rule=rid,
                    cautions=req.cautions_of(provider),
                )
            )
        else:
            text = STEP_TEXTS["first-none-why" if why else "first-none"].format(kind=label.lower(), why=why)
            before.append(_step(kind=kind, text=text, when="before", rule=rid))
    return before


def onward(req: Any, ev: Any) -> list[Step]:
    """Where an option refers on: only to services the client's limits leave in."""
    onward_services, onward_kinds = req.graph.onward(ev.service.id)
    if not onward_services and not onward_kinds:
        return []  # most services: nowhere to refer on to
    after: list[Step] = []
    covered: set[str] = set()
    live = [sid for sid in onward_services if sid != ev.service.id and req.catalog.offered(sid)]
    req.evaluate(live)
    for sid in live:
        other = req.evals[sid]
        if not req.usable(other):
            continue  # an onward referral obeys the client's limits as an option does
        covered.update(other.service.kinds)
        org = req.catalog.organization(other.service.organization_id)
        after.append(
            _step(
                kind=other.service.kinds[0],
                text=STEP_TEXTS["then"].format(provider=org.name, service=other.service.name),
                when="after",
                provider=other,
                org_name=org.name,
                cautions=req.cautions_of(other),
            )
        )
    for kind in onward_kinds:
        if kind in covered:
            continue
        provider = req.provider_for(kind)
        if provider is None or provider.service.id == ev.service.id:
            continue
        label = SERVICE_KINDS[kind].label
        org = req.catalog.organization(provider.service.organization_id)
        after.append(
            _step(
                kind=kind,
                text=STEP_TEXTS["then-if-needed"].format(
                    kind=label.lower(), provider=org.name, service=provider.service.name
                ),
                when="after",
                provider=provider,
                org_name=org.name,
                cautions=req.cautions_of(provider),
            )
        )
    return after


def blocked_text(req: Any, blocked: list[tuple[str, frozenset[str]]]) -> tuple[str, str]:
    """The exclusion (rule id, text) for an option blocked by its steps."""
    template = req.rules.by_id[BLOCKED_RULE].then.exclude
    nouns: list[str] = []
    for noun, _ in blocked:
        if noun not in nouns:
            nouns.append(noun)
    parties = set().union(*(p for _, p in blocked))
    step = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
    return BLOCKED_RULE, render_text(template, match={"blocked_step": step, "blocked_parties": _join(parties)})
