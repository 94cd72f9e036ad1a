"""``propose``: from a client's ranked needs to an explained list of options.

The engine proposes and explains; it never chooses. Same input, same options in the
same order. The fit score only orders options within a need; nothing is hidden by it:
a service is absent only when a rule excluded it, and then it is listed in
``excluded`` with the rule and the reason.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from cachetools import LRUCache

from freechoice.catalog import NEEDS, SERVICE_KINDS, Catalog, Organization, Service, ServiceCard
from freechoice.catalog.codes import normalise_area

from .assessment import Assessment
from .cash import DEFAULT_MINIMUM_WAGES, cash_option
from .children import DEFAULT_CHILD_POLICY, ChildPolicy, child_cash, list_cautions
from .compile import CompiledRules, render_text, text_fields
from .forward import add_ways_forward, mark_cash_needs
from .graph import ReferralGraph, referral_graph
from .jobs import job_facts
from .language import language_cautions
from .messages import message
from .needorder import NeedOrder, Ranked, best_provider
from .options import (
    Alternative,
    Caution,
    Exclusion,
    More,
    NearMiss,
    NeedOptions,
    Option,
    OptionList,
    Reason,
    Step,
    Unmet,
    built,
)
from .ordering import OptionKey, fit_score, is_job, quality_weight
from .paging import encode_cursor
from .pathways import Pathway, blocked_text, onward, walk, write_steps
from .places import group_by_place
from .predicates import PREDICATE_TEXTS, ClientView, MatchFacts, fact_reader, service_place_rank
from .rows import Row, candidate_buckets, unique_rows
from .text.markers import N_

__all__ = ["PROPOSE_TEXTS", "propose"]

#: the engine's own words in an option list (reasons and unmet needs)
PROPOSE_TEXTS = {
    "rated": N_("Rated {mean:.1f} out of 5 by {n} clients"),
    "offers": N_("Offers: {kind}"),
    "none-found": N_("No service for '{label}' was found in {where}."),
    "all-ruled-out": N_("Every service for '{label}' found in {where} is ruled out; see what stands in the way."),
    "area-country": N_("{area}, {country}"),
}

_NEAR_MISSES = 5
# whether a request shares the rules' verdict between candidates with the same key
# (see _Program); off only to test that sharing changes nothing
_SHARE_VERDICTS = True
# the walk of a service with no step before it (never changed)
_NO_STEPS: tuple[list[tuple[str, Any]], list[tuple[str, frozenset[str]]]] = ([], [])


# a rule's words not yet filled in: (Reason or Caution, rule id, text template)
_Note = tuple[type, str, str]


@dataclass(slots=True)
class _Eval:
    """What the rules said about one service for this client (need-independent).

    The words of its reasons and cautions are filled in only when read
    (:meth:`_Request.notes`): only options that are built, and the providers of their
    steps, need them. Exclusions are filled in at once: the list names every one."""

    service: Service | ServiceCard  # the card: what matching reads
    match: Any = None  # the pair's match facts, which the rule texts read (made when first read)
    # (the sequences below are one shared empty tuple until a rule adds to them: most
    # candidates fire few rules, and a national catalog has many candidates)
    excluded: Sequence[tuple[str, str]] = ()
    raw_cautions: Sequence[_Note] = ()
    raw_reasons: Sequence[_Note] = ()
    notes: tuple[list[Reason], list[Caution]] | None = None  # the two above, filled in
    weight: float = 0.0
    required: Sequence[tuple[str, str, str]] = ()  # (kind, rule, reason)
    score: float = 0.5
    quality: dict[str, Any] | None = None
    on_request: Sequence[tuple[str, str]] = ()  # (rule, text): left out unless show_all
    first: bool = False  # a rank: first rule applies under every need
    last: bool = False  # a rank: last rule applies under every need
    # effects scoped to some needs: (needs, effect kind, weight or "first"/"last", its words)
    scoped: Sequence[tuple[frozenset[str], str, Any, _Note]] = ()
    plain: _InNeed | None = None  # its place under every need, when no rule is scoped


# id, match getter, wanted value(s), effect, text or weight, reason, needs the effect is scoped to (None: all)
_PairRule = tuple[str, Any, Any, str, Any, str, "frozenset[str] | None"]


@dataclass(slots=True)
class _InNeed:
    """What the rules said about one service under one need (its words: :meth:`_Request.here_notes`)."""

    score: float
    first: bool
    last: bool
    ev: _Eval
    extra: Sequence[_Note]  # the words of the scoped rules that apply under this need, in rule order


# rule text -> what reads the match facts it names, or None when it names the service
# (or a path into a fact): then it is filled per service. Bounded like the texts' parses.
_TEXT_READERS: dict[str, Any] = {}


def _text_reader(template: str) -> Any:
    found = _TEXT_READERS.get(template, _TEXT_READERS)
    if found is _TEXT_READERS:
        fields = text_fields(template)
        found = None
        if all(root == "client" or (root == "match" and "." not in path) for root, path in fields):
            try:
                found = fact_reader(tuple(dict.fromkeys(path for root, path in fields if root == "match")))
            except KeyError:  # a name that is no match fact: filled per service (it reads as empty)
                found = None
        if len(_TEXT_READERS) >= 4096:
            _TEXT_READERS.clear()
        _TEXT_READERS[template] = found
    return found


# a rule's words -> how they are filled in for a service: _AS_IS (no placeholder), the
# reader of the match facts they name (filled once per request and values), or None
# (they name the service, or a path into a fact: filled per service). Bounded likewise.
_NOTE_FILLS: dict[_Note, Any] = {}
_AS_IS = object()


def _note_fill(raw: _Note) -> Any:
    found = _NOTE_FILLS.get(raw, _NOTE_FILLS)
    if found is _NOTE_FILLS:
        found = _AS_IS if "{" not in raw[2] else _text_reader(raw[2])
        if len(_NOTE_FILLS) >= 4096:
            _NOTE_FILLS.clear()
        _NOTE_FILLS[raw] = found
    return found


class _Program:
    """The pair rules that apply to one service tag set, and the match facts they test.

    The rules' verdict on a candidate (which fire, with which effect) follows from the
    values of exactly those facts: every rule's condition is its getter over them (the
    client side is decided before, once per request; the service side is the tag set).
    So within a request two candidates with the same tag set and the same values get the
    same verdict: ``read`` gives the values, which with the tags are the verdict's key."""

    __slots__ = ("keys", "read", "rules")

    def __init__(self, rules: list[_PairRule], keys_of: Mapping[str, tuple[str, ...]]) -> None:
        self.rules = rules
        keys: dict[str, None] = {}
        for r in rules:
            if r[1] is not None:
                keys.update(dict.fromkeys(keys_of[r[0]]))
        self.keys = tuple(keys)
        self.read = fact_reader(self.keys)


@dataclass(frozen=True, slots=True)
class _Verdict:
    """Which rules fired for a candidate and their effects, their words not yet filled in
    (``excluded``, ``on_request`` and ``required`` hold (rule, text template) or
    (kind, rule, template); the rest as :class:`_Eval` keeps them)."""

    excluded: tuple[tuple[str, str], ...]
    on_request: tuple[tuple[str, str], ...]
    reasons: tuple[_Note, ...]
    cautions: tuple[_Note, ...]
    required: tuple[tuple[str, str, str], ...]
    scoped: tuple[tuple[frozenset[str], str, Any, _Note], ...]
    first: bool
    last: bool
    weight: float
    score: float


def _verdict(rules: list[_PairRule], facts: Mapping[str, Any]) -> _Verdict:
    """The rules' verdict over one candidate's match ``facts`` (read by subscription)."""
    excluded: list[tuple[str, str]] = []
    on_request: list[tuple[str, str]] = []
    reasons: list[_Note] = []
    cautions: list[_Note] = []
    required: list[tuple[str, str, str]] = []
    scoped: list[tuple[frozenset[str], str, Any, _Note]] = []
    first = last = False
    weight = 0.0
    for rid, getter, want, kind, value, reason, scope in rules:
        if getter is not None and getter(facts) != want:
            continue
        if kind == "exclude":
            excluded.append((rid, value))
        elif kind == "on_request":
            on_request.append((rid, value))
        elif scope is not None:
            if kind == "caution":
                note: _Note = (Caution, rid, value)
            elif kind in ("boost", "demote", "rank"):
                note = (Reason, rid, reason)
            else:  # require is not scoped (the schema refuses it)
                continue
            scoped.append((scope, kind, value, note))
        elif kind == "rank":
            reasons.append((Reason, rid, reason))
            if value == "first":
                first = True
            else:
                last = True
        elif kind == "caution":
            cautions.append((Caution, rid, value))
        elif kind == "boost":
            weight += value
            reasons.append((Reason, rid, reason))
        elif kind == "demote":
            weight -= value
            reasons.append((Reason, rid, reason))
        elif kind == "require":
            required.append((value, rid, reason))
    return _Verdict(
        tuple(excluded),
        tuple(on_request),
        tuple(reasons),
        tuple(cautions),
        tuple(required),
        tuple(scoped),
        first,
        last,
        weight,
        fit_score(weight),
    )


class _Plan:
    """The active rules for one set of client-side rule results, ready for matching.

    Shared by every request whose client fires the same client-side rules (there are
    few such sets); ``rules_for`` memoises the rules that apply per service tag set.
    """

    def __init__(self, rules: CompiledRules, active: list[Any]) -> None:
        # (id, needs a service tag, getter of its match facts, wanted value(s), effect kind, text or weight, reason)
        self.pair_rules = []
        # rule id -> the match facts its getter reads (its ``when.match`` keys, in order)
        self._keys: dict[str, tuple[str, ...]] = {}
        for r in active:
            if r.then.kind == "suggest":
                continue
            keys = tuple(r.when.match)
            self._keys[r.id] = keys
            want = tuple(r.when.match.values())
            self.pair_rules.append(
                (
                    r.id,
                    rules.service_conditional(r.id),
                    itemgetter(*keys) if keys else None,
                    want[0] if len(keys) == 1 else want,
                    r.then.kind,
                    r.then.exclude
                    or r.then.caution
                    or r.then.boost
                    or r.then.demote
                    or r.then.require
                    or r.then.rank
                    or r.then.on_request,
                    r.then.reason or "",
                    frozenset(r.then.needs) if r.then.needs is not None else None,
                )
            )
        self.suggested: dict[str, list[tuple[str, str, str]]] = {}
        # needs listed whatever the client's priority: need -> (rule, reason)
        self.always: dict[str, tuple[str, str]] = {}
        for r in active:
            if r.then.kind == "suggest":
                assert r.then.suggest is not None
                for need in r.then.suggested_needs:
                    self.suggested.setdefault(need, []).append((r.then.suggest, r.id, r.then.reason or ""))
                    if r.then.always:
                        self.always.setdefault(need, (r.id, r.then.reason or ""))
        self._by_tags: dict[frozenset[str], list[_PairRule]] = {}
        # (program, need, facts read off the record, show_all) -> what its rules can do at
        # best (engine/needorder.py): shared by the requests of this plan, bounded
        self.bounds: dict[tuple[Any, ...], Any] = {}
        self._programs: dict[frozenset[str], _Program] = {}
        self._by_rules: dict[tuple[str, ...], _Program] = {}

    def keys_of(self, rule_id: str) -> tuple[str, ...]:
        """The match facts an active pair rule tests (its ``when.match`` keys, in order)."""
        return self._keys[rule_id]

    def program_for(self, tags: frozenset[str]) -> _Program:
        """The rules that apply to a service carrying rule ``tags`` and what they read."""
        found = self._programs.get(tags)
        if found is None:
            rules = self.rules_for(tags)
            # one program per distinct rule list: tag sets that differ only in rules not
            # active for this client share it (and so their verdicts)
            ids = tuple(r[0] for r in rules)
            found = self._by_rules.get(ids)
            if found is None:
                found = _Program(rules, self._keys)
                if len(self._by_rules) < 4096:
                    self._by_rules[ids] = found
            if len(self._programs) < 4096:
                self._programs[tags] = found
        return found

    def rules_for(self, tags: frozenset[str]) -> list[_PairRule]:
        """The pair rules that apply to a service carrying rule ``tags``, in pack order."""
        found = self._by_tags.get(tags)
        if found is None:
            found = [
                (rid, getter, want, kind, value, reason, scope)
                for rid, conditional, getter, want, kind, value, reason, scope in self.pair_rules
                if not conditional or rid in tags
            ]
            if len(self._by_tags) < 4096:
                self._by_tags[tags] = found
        return found


# compiled rules -> active rule ids -> plan (entries go with the compiled rules)
_PLANS: weakref.WeakKeyDictionary[CompiledRules, dict[tuple[str, ...], _Plan]] = weakref.WeakKeyDictionary()


def _plan(rules: CompiledRules, active: list[Any]) -> _Plan:
    key = tuple(r.id for r in active)
    plans = _PLANS.get(rules)
    if plans is None:
        plans = _PLANS.setdefault(rules, {})
    found = plans.get(key)
    if found is None:
        found = _Plan(rules, active)
        if len(plans) < 1024:
            plans[key] = found
    return found


class _Request:
    """One propose() call: the client, the active rules and a per-request evaluation memo."""

    def __init__(
        self,
        assessment: Assessment,
        catalog: Catalog,
        rules: CompiledRules,
        quality: Mapping[str, tuple[float, int]] | None,
        minimum_wages: Mapping[str, Sequence[Any]] | None = None,
        children: ChildPolicy = DEFAULT_CHILD_POLICY,
    ) -> None:
        self.a = assessment
        self.catalog = catalog
        self.rules = rules
        self.cv = ClientView.of(assessment)
        self.children = children
        self.client = _client_values(assessment, children)
        self.quality = quality or {}
        self.minimum_wages = DEFAULT_MINIMUM_WAGES if minimum_wages is None else minimum_wages
        self.plan = _plan(rules, rules.active_rules(assessment, age_of_majority=children.majority_for(assessment)))
        self.suggested = {
            need: [(k, rid, render_text(text, client=self.client)) for k, rid, text in found]
            for need, found in self.plan.suggested.items()
        }
        self.always = {
            need: (rid, render_text(text, client=self.client)) for need, (rid, text) in self.plan.always.items()
        }
        self.places = assessment.places()
        self._normal_places = [(country, normalise_area(area)) for country, area in self.places]
        valid = self.cv.documents_valid
        self.satisfied = frozenset(k.id for k in SERVICE_KINDS.values() if valid and k.satisfied_by_valid_documents)
        self.evals: dict[str, _Eval] = {}
        # (program, fact values) -> the rules' verdict; None: every candidate on its own (tests)
        self._verdicts: dict[tuple[_Program, tuple[Any, ...]], _Verdict] | None = {} if _SHARE_VERDICTS else None
        # (text, values of the match facts it names) -> the text filled in; None with _verdicts
        self._texts: dict[tuple[str, tuple[Any, ...]], str] | None = {} if _SHARE_VERDICTS else None
        self._notes: dict[tuple[type, str, str], Any] = {}
        # (rule's words, values of the match facts they name) or the words alone -> the
        # Reason / Caution filled in (see :meth:`fill`); None with _verdicts
        self._filled: dict[Any, Any] | None = {} if _SHARE_VERDICTS else None
        self._offered: dict[tuple[str, str], Any] = {}  # (need, kind) -> its "Offers: ..." reason
        self._graph: ReferralGraph | None = None
        self._providers: dict[str, _Eval | None] = {}
        self._steps: dict[str, list[Step]] = {}
        self._prereqs: dict[str, Pathway] = {}
        self._walks: dict[str, tuple[list[tuple[str, _Eval | None]], list[tuple[str, frozenset[str]]]]] = {}
        self._in_progress: set[str] = set()
        # kinds whose provider look-up is under way (see :meth:`provider_for`)
        self._looking: set[str] = set()
        # (kind, what is under way that its look-up could meet) -> (provider, what it
        # assumed): answers that hold whenever the same is under way again
        self._held: dict[tuple[str, frozenset[str], frozenset[str]], tuple[_Eval | None, frozenset[Any]]] = {}
        # one set per walk or provider look-up under way: the services it found unusable
        # only because their own walk was under way (see :meth:`blocked`), and the
        # kinds (as ``("kind", kind)``) it found without a provider only because their
        # look-up was under way
        self._assumed: list[set[str | tuple[str, str]]] = []
        self._place: dict[str, int] = {}
        self._kind_rows: dict[str, Sequence[Row]] = {}
        # the candidates looked up so far (:mod:`.rows`), by id: what evaluating one reads
        self.rows: dict[str, Row] = {}
        # kind -> refused parties its ruled-out providers meet: see pathways._kind_block
        self.kind_blocks: dict[str, frozenset[str]] = {}

    @property
    def graph(self) -> ReferralGraph:
        if self._graph is None:
            self._graph = referral_graph(self.catalog)
        return self._graph

    # -------------------------------------------------------------- evaluation
    def evaluate(self, service_ids: Iterable[str]) -> None:
        """The rules' verdict on each service not yet evaluated in this request.

        A verdict is worked out once per distinct (tag set, values of the match facts the
        applying rules test) and shared by the candidates that have it (``_Program``);
        the texts are filled in per service, as they may name its own facts."""
        todo = [sid for sid in service_ids if sid not in self.evals]
        if not todo:
            return
        rows = self.rows
        tags = self.rules.service_tags(self.catalog, [sid for sid in todo if sid not in rows])
        card = self.catalog.card
        program_for = self.plan.program_for
        cv = self.cv
        verdicts = self._verdicts
        for sid in todo:
            row = rows.get(sid)
            if row is None:
                svc: Service | ServiceCard = card(sid)
                program = program_for(tags[sid])
            else:
                svc = row.card
                program = program_for(row.tags)
            if verdicts is None:  # the reference way: every candidate's rules run over its own facts
                mf = MatchFacts(cv, svc)
                ev = self._eval(sid, svc, _verdict(program.rules, mf), mf)
            else:
                key = (program, program.read(cv, svc))
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = verdicts[key] = _verdict(program.rules, dict(zip(program.keys, key[1], strict=True)))
                ev = self._eval(sid, svc, verdict)
            self.evals[sid] = ev

    def _eval(self, sid: str, svc: Service | ServiceCard, verdict: _Verdict, mf: Any = None) -> _Eval:
        """One service's evaluation from its verdict: the verdict's words that are filled in
        at once (exclusions, what is shown on request, required steps) filled for it."""
        ev = _Eval(svc, mf)
        if verdict.excluded:
            ev.excluded = [(rid, self.render(text, ev)) for rid, text in verdict.excluded]
        if verdict.on_request:
            ev.on_request = [(rid, self.render(text, ev)) for rid, text in verdict.on_request]
        if verdict.required:
            ev.required = [(kind, rid, self.render(text, ev)) for kind, rid, text in verdict.required]
        ev.raw_cautions = verdict.cautions
        ev.scoped = verdict.scoped
        ev.first = verdict.first
        ev.last = verdict.last
        ev.weight = verdict.weight
        ev.raw_reasons = verdict.reasons
        ev.score = verdict.score
        q = self.quality.get(sid)
        if q is not None:
            mean, n = q
            ev.weight += quality_weight(mean, n)
            ev.quality = {"mean_satisfaction": round(mean, 2), "ratings": n}
            if n >= 3 and mean >= 4.0:
                rated = PROPOSE_TEXTS["rated"].format(mean=mean, n=n)
                ev.raw_reasons = (*verdict.reasons, (Reason, "client-feedback", rated))
            ev.score = fit_score(ev.weight)
        return ev

    def match_of(self, ev: _Eval) -> Any:
        """The service's match facts for this client (what rule texts read), made when first asked."""
        if ev.match is None:
            ev.match = MatchFacts(self.cv, ev.service)
        return ev.match

    def render(self, template: str, ev: _Eval) -> str:
        """One rule text filled in for one service (its facts made only if the text names one).

        A text that names only the client and match facts reads the same for every
        service with the same values of those facts: filled once per request and values."""
        if "{" not in template:
            return template
        if self._texts is not None:
            reader = _text_reader(template)
            if reader is not None:
                key = (template, reader(self.cv, ev.service))
                found = self._texts.get(key)
                if found is None:
                    found = self._texts[key] = render_text(
                        template, client=self.client, service=ev.service, match=self.match_of(ev)
                    )
                return found
        return render_text(template, client=self.client, service=ev.service, match=self.match_of(ev))

    def fill(self, ev: _Eval, raw: _Note) -> Any:
        """One rule's words for one service, filled in (shared per rule and text).

        Words that name no service fact read the same for every service with the same
        values of the match facts they name (none: every service): looked up by those."""
        filled = self._filled
        if filled is not None:
            how = _note_fill(raw)
            if how is _AS_IS:
                key: Any = raw
            elif how is not None:
                key = (raw, how(self.cv, ev.service))
            else:
                return self.note(raw[0], raw[1], self.render(raw[2], ev))
            found = filled.get(key)
            if found is None:
                found = filled[key] = self.note(raw[0], raw[1], self.render(raw[2], ev))
            return found
        cls, rid, template = raw
        return self.note(cls, rid, self.render(template, ev))

    def notes(self, ev: _Eval) -> tuple[list[Reason], list[Caution]]:
        """The reasons and cautions of a service under every need, filled in on first read."""
        if ev.notes is None:
            fill = self.fill
            reasons, cautions = ev.raw_reasons, ev.raw_cautions
            ev.notes = (
                [fill(ev, r) for r in reasons] if reasons else [],
                [fill(ev, c) for c in cautions] if cautions else [],
            )
        return ev.notes

    def cautions_of(self, ev: _Eval) -> list[Caution]:
        """The cautions of a service under every need (a step's provider carries them)."""
        return self.notes(ev)[1]

    def here_notes(self, here: _InNeed) -> tuple[list[Reason], list[Caution]]:
        """The reasons and cautions of a service under one need."""
        reasons, cautions = self.notes(here.ev)
        if here.extra:
            reasons, cautions = list(reasons), list(cautions)
            for raw in here.extra:
                (cautions if raw[0] is Caution else reasons).append(self.fill(here.ev, raw))
        return reasons, cautions

    def in_need(self, ev: _Eval, need: str) -> _InNeed:
        """The score and rank of a service under ``need`` (and which scoped rules' words
        go with it): the rules scoped to other needs do not count here."""
        if not ev.scoped:
            if ev.plain is None:
                ev.plain = _InNeed(ev.score, ev.first, ev.last, ev, ())
            return ev.plain
        weight = ev.weight
        extra: list[_Note] = []
        first, last = ev.first, ev.last
        for needs, kind, value, note in ev.scoped:
            if need not in needs:
                continue
            extra.append(note)
            if kind == "caution":
                continue
            if kind == "boost":
                weight += value
            elif kind == "demote":
                weight -= value
            elif value == "first":
                first = True
            else:
                last = True
        score = ev.score if weight == ev.weight else fit_score(weight)
        return _InNeed(score, first, last, ev, extra)

    def place(self, svc: Service | ServiceCard) -> int:
        """How close the service is to the client (see :func:`.ordering.place_rank`)."""
        found = self._place.get(svc.id)
        if found is None:
            found = self._place[svc.id] = service_place_rank(svc, self._normal_places)
        return found

    def _offers(self, need: str, kind: str) -> Any:
        """The reason an option is under ``need``: it offers ``kind`` (one per need and kind)."""
        key = (need, kind)
        found = self._offered.get(key)
        if found is None:
            offers = PROPOSE_TEXTS["offers"].format(kind=SERVICE_KINDS[kind].label)
            found = self._offered[key] = self.note(Reason, f"need:{need}", offers)
        return found

    def note(self, cls: type[Reason] | type[Caution], rule: str, text: str) -> Any:
        """One shared Reason / Caution per (rule, text) in this option list."""
        key = (cls, rule, text)
        found = self._notes.get(key)
        if found is None:
            found = self._notes[key] = built(cls, {"rule": rule, "text": text})
        return found

    # -------------------------------------------------------------- pathways
    # Same input, same list, in every process: what a walk finds must not depend on the
    # order in which walks were asked for. A service is never a step on its own way, so
    # while its walk is under way it counts as unusable; an answer decided that way (a
    # provider passed over, a step blocked) holds inside that walk only and is not kept
    # for the request: it is worked out again when asked outside it. Kept answers are
    # those of a walk (or look-up) that no walk under way around it changed, so every
    # kept answer is the one a fresh request asking it first would get.
    def usable(self, ev: _Eval) -> bool:
        """Whether an evaluated service can be offered: no rule excluded it and no step
        before it is blocked by the client's limits (a blocked one gets its exclusion here)."""
        if ev.excluded:
            return False
        sid = ev.service.id
        if sid in self._in_progress:
            # a service is never a step on its own way (rules can require kinds in a loop)
            if self._assumed:
                self._assumed[-1].add(sid)
            return False
        return not self.blocked(ev)

    def _settle(self, assumed: set[str | tuple[str, str]]) -> bool:
        """Close one walk or look-up: pass what it assumed to the one around it; whether its answer can be kept."""
        if not assumed:
            return True
        if self._assumed:
            self._assumed[-1] |= assumed
        return False

    def blocked(self, ev: _Eval) -> list[tuple[str, frozenset[str]]]:
        """What blocks the steps before a service: the walk of :func:`.pathways.walk`,
        made once per service (the steps are written only for options that are built)."""
        sid = ev.service.id
        found = self._walks.get(sid)
        if found is not None:
            return found[1]
        if not ev.required and not self.graph.service_requires(sid):
            # nothing before it (most services): what the walk would find, without its book-keeping
            found = self._walks[sid] = _NO_STEPS
            return found[1]
        self._in_progress.add(sid)
        self._assumed.append(set())
        try:
            found = walk(self, ev)
        finally:
            self._in_progress.discard(sid)
            assumed = self._assumed.pop()
        assumed.discard(sid)  # its own walk counting it out is what every walk of it does
        if not self._settle(assumed):
            return found[1]  # true inside the walk under way only
        self._walks[sid] = found
        if found[1]:
            ev.excluded = [*ev.excluded, blocked_text(self, found[1])]
        return found[1]

    def walked(self, sid: str) -> bool:
        """Whether the steps before a service have been walked (its usability decided)."""
        return sid in self._walks

    def prerequisites(self, ev: _Eval) -> Pathway:
        """The steps before a service, written from its walk (as it was when it was made)."""
        sid = ev.service.id
        found = self._prereqs.get(sid)
        if found is None:
            blocked = self.blocked(ev)
            walked = self._walks[sid][0] if sid in self._walks else walk(self, ev)[0]
            found = Pathway(write_steps(self, ev, walked), blocked)
            if sid in self._walks:
                self._prereqs[sid] = found
        return found

    def provider_for(self, kind: str) -> _Eval | None:
        """The usable service of ``kind`` with the shortest chain behind it, best score first.

        Inside its own look-up (a candidate's steps come back round to ``kind``: services
        can require kinds in a loop) a kind has no provider, as a kind on its own way is
        no step of it: the walk goes no deeper than the kinds, however many services
        each has. An answer decided that way holds inside the look-up only: it is kept
        for when the same look-ups and walks it could meet are under way again (inside
        the next candidate's walk of an outer look-up, say), so a loop's look-ups are
        each made once per way in, not once per service of the loop."""
        if kind in self._providers:
            return self._providers[kind]
        if kind in self._looking:
            if self._assumed:
                self._assumed[-1].add(("kind", kind))
            return None
        # What a look-up can meet of the work under way: the kinds looked up (each answers
        # "none"), and the services walked that a look-up of one of their kinds not under
        # way could reach (a service whose every kind is being looked up is never reached).
        looking = frozenset(self._looking)
        walking = frozenset(sid for sid in self._in_progress if not looking.issuperset(self.evals[sid].service.kinds))
        key = (kind, looking, walking)
        held = self._held.get(key)
        if held is not None:
            if self._assumed:
                self._assumed[-1] |= held[1]
            return held[0]
        self._looking.add(kind)
        self._assumed.append(set())
        try:
            found = self._provider_for(kind)
        finally:
            self._looking.discard(kind)
            assumed = self._assumed.pop()
        assumed.discard(("kind", kind))  # its own look-up counting it out is what every look-up of it does
        if self._settle(assumed):
            self._providers[kind] = found
        else:
            self._held[key] = (found, frozenset(assumed))
        return found

    def kind_rows(self, kind: str) -> Sequence[Row]:
        """The candidates of one kind for the client's places (:mod:`.rows`), looked up once
        per request (steps and what blocks them ask for the same few kinds again and again)."""
        found = self._kind_rows.get(kind)
        if found is None:
            buckets = candidate_buckets(self.catalog, self.rules, frozenset((kind,)), self.places)
            found = self._kind_rows[kind] = unique_rows(buckets)
            self.rows.update((row.sid, row) for row in found)
        return found

    def kind_candidates(self, kind: str) -> tuple[str, ...]:
        """The ids of :meth:`kind_rows`, in id order."""
        return tuple(sorted(row.sid for row in self.kind_rows(kind)))

    def _provider_for(self, kind: str) -> _Eval | None:
        return best_provider(self, self.kind_rows(kind))

    def steps(self, ev: _Eval) -> list[Step]:
        """Pathway steps of an option (memoised: a service's steps do not depend on the need)."""
        sid = ev.service.id
        found = self._steps.get(sid)
        if found is None:
            walked = self._walks.get(sid)
            # nothing before it (most services): no steps to write
            before = [] if walked is not None and not walked[0] else self.prerequisites(ev).steps
            found = self._steps[sid] = before + onward(self, ev)
        return found.copy()  # the list is the option's own (the steps in it are shared)

    # -------------------------------------------------------------- assembly
    def build(self, ordered: NeedOrder, group: list[Ranked]) -> Option:
        """The full option for one group of one need's order (its service first)."""
        first = group[0]
        opt = self.option(
            ordered.need, first.ev, ordered.kinds, ordered.suggest_reasons, first.here, bool(first.ev.on_request)
        )
        if len(group) > 1:
            opt.__dict__["alternatives"] = [
                built(
                    Alternative,
                    {
                        "service_id": r.ev.service.id,
                        "service_name": r.ev.service.name,
                        "languages": list(r.ev.service.languages),
                        "availability": r.ev.service.capacity.status,
                    },
                )
                for r in group[1:]
            ]
        return opt

    def option(
        self,
        need: str,
        ev: _Eval,
        kinds: set[str],
        suggest_reasons: dict[str, tuple[str, str]],
        here: _InNeed,
        shown_on_request: bool = False,
    ) -> Option:
        svc = self.catalog.service(ev.service.id)  # the full record: an option shows it
        reasons = []
        for k in svc.kinds:
            if k in kinds:
                if k in suggest_reasons:
                    rid, text = suggest_reasons[k]
                    reasons.append(self.note(Reason, rid, text))
                else:
                    reasons.append(self._offers(need, k))
                break
        here_reasons, here_cautions = self.here_notes(here)
        values = _service_part(self.catalog, svc)  # every field, in the model's order
        values["option_id"] = f"{need}/{svc.id}"
        values["score"] = here.score
        values["reasons"] = reasons + here_reasons
        values["cautions"] = here_cautions.copy()
        values["steps"] = self.steps(ev)
        values["quality"] = ev.quality
        if svc.employment is not None:
            values["job"] = job_facts(svc, self.minimum_wages)
        values["shown_on_request"] = shown_on_request
        values["alternatives"] = []
        return built(Option, values)


# service serial -> (organisation, an option's values that depend on the service alone).
# Serials change whenever a service does, so an entry never goes stale; the organisation
# is compared by identity because it can change on its own. Least recently used out
# first: the serials of changed services (and, with in-database retrieval, of cache
# entries evicted and read again) age out one at a time while the ones in use stay.
_SERVICE_PARTS_LIMIT = 4096  # bounded: not one per service of a large catalog
_SERVICE_PARTS: LRUCache[int, tuple[Organization, dict[str, Any]]] = LRUCache(maxsize=_SERVICE_PARTS_LIMIT)
_SERVICE_PARTS_LOCK = threading.Lock()


def _service_part(catalog: Catalog, svc: Service) -> dict[str, Any]:
    """A fresh dict of an option's values, every field in the model's order (the JSON reads
    the same way): those that come from the service and its provider filled in, the
    option's own (its id, score, words, steps, ...) placeholders that the caller sets.
    Its containers are its own, copied one level down from the cached part: an option
    list can be changed without touching the cache (:func:`.options.built` keeps the
    dict it is given, so this copy is the only one)."""
    serial = catalog.serial(svc.id)
    org = catalog.organization(svc.organization_id)
    with _SERVICE_PARTS_LOCK:
        hit = _SERVICE_PARTS.get(serial)
    if hit is None or hit[0] is not org:
        loc: dict[str, Any] = {"remote": svc.remote}
        if svc.location is not None:
            loc.update(svc.location.model_dump(exclude_none=True))
        loc["service_areas"] = [a.model_dump(exclude_none=True) for a in svc.service_areas]
        cost: dict[str, Any] = {
            "free": all((c.amount or 0) == 0 for c in svc.cost_options),
            "options": [c.model_dump(exclude_none=True) for c in svc.cost_options],
        }
        part: dict[str, Any] = {
            "option_id": "",
            "service_id": svc.id,
            "service_name": svc.name,
            "provider_id": org.id,
            "provider_name": org.name,
            "kinds": list(svc.kinds),
            "score": 0.0,
            "reasons": None,
            "cautions": None,
            "steps": None,
            "cost": cost,
            "location": loc,
            "languages": list(svc.languages),
            "availability": svc.capacity.status,
            "available_until": svc.capacity.until.isoformat() if svc.capacity.until else None,
            "remote": svc.remote,
            "quality": None,
            "job": None,
            "shown_on_request": False,
            "alternatives": None,
        }
        with _SERVICE_PARTS_LOCK:
            _SERVICE_PARTS[serial] = (org, part)
    else:
        part = hit[1]
    out = part.copy()
    out["kinds"] = part["kinds"].copy()
    out["languages"] = part["languages"].copy()
    cost = part["cost"]
    out["cost"] = {"free": cost["free"], "options": [c.copy() for c in cost["options"]]}
    loc = part["location"].copy()
    loc["service_areas"] = [a.copy() for a in loc["service_areas"]]
    out["location"] = loc
    return out


def _client_values(a: Assessment, children: ChildPolicy = DEFAULT_CHILD_POLICY) -> dict[str, Any]:
    """What ``{client.<field>}`` in a rule text reads: the situation, ``needs.<need>``,
    ``documents_valid``, ``minor`` and ``age_of_majority``, under the rule schema's field names."""
    values = a.situation.model_dump()
    values["needs"] = dict(a.needs)
    values["documents_valid"] = a.situation.documents == "valid"
    values["minor"] = children.is_minor(a)
    values["age_of_majority"] = children.majority_for(a)
    return values


def _list_id(
    a: Assessment,
    rules: CompiledRules,
    catalog: Catalog,
    all_needs: bool,
    show_all: bool = False,
    children: ChildPolicy = DEFAULT_CHILD_POLICY,
    limit: int | None = None,
) -> str:
    h = hashlib.sha256()
    h.update(a.model_dump_json().encode())
    h.update(f"|{rules.version}|{catalog.version}|{all_needs}".encode())
    if show_all or children != DEFAULT_CHILD_POLICY:
        h.update(f"|{show_all}|{children.majority_for(a)}|{children.cash_recipient}".encode())
    if limit is not None:
        h.update(f"|limit={limit}".encode())
    return "ol-" + h.hexdigest()[:20]


def _where(places: list[tuple[str, str | None]]) -> str:
    where = [
        PROPOSE_TEXTS["area-country"].format(area=area, country=country) if area else country
        for country, area in places
    ]
    out = where[0] if where else ""
    for w in where[1:]:
        out = PREDICATE_TEXTS["or"].format(a=out, b=w)
    return out


def propose(
    assessment: Assessment,
    catalog: Catalog,
    rules: CompiledRules,
    *,
    all_needs: bool = False,
    show_all: bool = False,
    list_id: str | None = None,
    quality: Mapping[str, tuple[float, int]] | None = None,
    minimum_wages: Mapping[str, Sequence[Any]] | None = None,
    children: ChildPolicy | None = None,
    created_at: str | None = None,
    limit: int | None = None,
) -> OptionList:
    """Propose options for every need ranked 3 or 4 (every ranked need with ``all_needs``).

    Parameters
    ----------
    assessment : the client's ranked needs and situation.
    catalog : the indexed catalog; only index buckets for the client's places and the
        needs' service kinds are read.
    rules : compiled rule packs (:func:`~freechoice.engine.load_rules`).
    all_needs : include needs ranked 1 and 2.
    show_all : bring back what rules leave out by default and show on request (bad
        practice the brief names: fees, brokers, pay below the minimum, closed places,
        family tracing without the client), last in their need, with their cautions.
    list_id : the option list's id; by default a hash of the inputs (same input, same id).
    quality : service id -> (mean client satisfaction 1-5, number of ratings); orders
        options a little and is shown with its count.
    minimum_wages : country -> (monthly minimum wage, currency[, date it applies from]) for
        the cash option (paid where the client will be) and for job wages.
    children : the programme's :class:`~freechoice.engine.children.ChildPolicy` (age of
        majority per country, who receives a child's cash); default 18 and a guardian.
    limit : options built and shown per need (None: all). The order is worked out best
        first, only as far as the shown options (and one more) need (engine/needorder.py):
        each need's ``more`` says how many more there are (exactly, or at most when
        ``more.exact`` is false) and where the next page starts
        (:func:`~freechoice.engine.pages.options_page` builds a page, with the exclusions
        found for it); ``excluded`` names the exclusions found for the shown options.
        With no limit every candidate is weighed and ``excluded`` names every exclusion.
        Remote services of one provider and kind are one option either way.

    Returns
    -------
    OptionList : needs in the client's priority order, each with options best-fit first
        (or ``unmet`` with near misses), the exclusions with reasons, and the cash option.

    Examples
    --------
    >>> from freechoice.catalog import load_sample_catalog
    >>> from freechoice.engine import load_rules, parse_assessment
    >>> a = parse_assessment({"client_ref": "c-1", "needs": {"compensation": 4},
    ...     "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]}})
    >>> ol = propose(a, load_sample_catalog(), load_rules())
    >>> ol.needs[0].need, ol.cash.transfers
    ('compensation', 3)
    """
    if limit is not None and limit < 1:
        raise ValueError("limit: at least 1 option per need (None: every option)")
    policy = DEFAULT_CHILD_POLICY if children is None else children
    req = _Request(assessment, catalog, rules, quality, minimum_wages, policy)
    needs_out: list[NeedOptions] = []
    excluded_out: list[Exclusion] = []
    # every need ordered first (as far as shown, and one option more to know whether
    # there is more), then options built: a later page holds what an unbounded list would
    orderings = [
        NeedOrder(req, need, priority, because, show_all)
        for need, priority, because in _needs_to_list(assessment, req.always, all_needs)
    ]
    for ordered in orderings:
        ordered.fill_list(limit)
        excluded_out += named_exclusions(ordered)
    catalog.prefetch(g[0].ev.service.id for o in orderings for g in (o.groups if limit is None else o.groups[:limit]))
    for ordered in orderings:
        groups = ordered.groups
        shown = groups if limit is None else groups[:limit]
        options = [req.build(ordered, g) for g in shown]
        more = None
        if len(groups) > len(shown):
            exact = ordered.settled
            more = built(
                More,
                {
                    "count": len(groups) - len(shown) if exact else ordered.at_most(len(shown)),
                    "exact": exact,
                    "cursor": encode_cursor(len(shown)),
                    "rest": [],
                },
            )
        status, unmet = _status(req, ordered.need, ordered.keys, ordered.cands, ordered.misses)
        needs_out.append(
            built(
                NeedOptions,
                {  # every field, in the model's order
                    "need": ordered.need,
                    "label": NEEDS[ordered.need].label,
                    "priority": ordered.priority,
                    "options": options,
                    "unmet": unmet,
                    "cash_meets": False,  # set by mark_cash_needs
                    "status": status,
                    "listed_because": ordered.because,
                    "more": more,
                },
            )
        )
    add_ways_forward(req, needs_out)
    mark_cash_needs(needs_out)
    cash = child_cash(cash_option(assessment, minimum_wages), assessment, policy)
    paged = any(n.more is not None for n in needs_out)
    return OptionList.model_construct(
        id=list_id or _list_id(assessment, rules, catalog, all_needs, show_all, policy, limit),
        client_ref=assessment.client_ref,
        created_at=created_at,
        rules_version=rules.version,
        catalog_version=catalog.version,
        sample_data=catalog.sample,
        needs=needs_out,
        excluded=excluded_out,
        cautions=language_cautions(assessment) + list_cautions(assessment, policy),
        show_all=show_all,
        cash=cash,
        by_place=group_by_place(assessment, catalog, needs_out),
        limit=limit,
        paging_quality=_paging_quality(req, orderings) if paged else {},
    )


def _service_id(ev: _Eval) -> str:
    return ev.service.id


def named_exclusions(ordered: NeedOrder, after: int = 0) -> list[Exclusion]:
    """The exclusions of the need's services weighed since the first ``after`` of them,
    in id order (what a list, or one of its pages, names)."""
    out: list[Exclusion] = []
    for ev in sorted(ordered.misses[after:], key=_service_id):
        _exclusions(ev, ordered.need, out)
    return out


def _paging_quality(req: _Request, orderings: list[NeedOrder]) -> dict[str, tuple[float, int]]:
    """The ratings a paged list was ordered with, for its later pages: those of every
    candidate of its needs and of every service it weighed (step providers among them)."""
    if not req.quality:
        return {}
    seen: set[str] = set(req.evals)
    for o in orderings:
        seen.update(o.cands)
    return {sid: (q[0], q[1]) for sid in sorted(seen) if (q := req.quality.get(sid))}


def _exclusions(ev: _Eval, need: str, excluded_out: list[Exclusion]) -> None:
    sid = ev.service.id
    if ev.excluded:
        for rid, text in ev.excluded:
            excluded_out.append(
                built(
                    Exclusion,
                    {
                        "service_id": sid,
                        "service_name": ev.service.name,
                        "need": need,
                        "rule": rid,
                        "text": text,
                        "on_request": False,
                    },
                )
            )
    else:
        for rid, text in ev.on_request:
            excluded_out.append(
                built(
                    Exclusion,
                    {
                        "service_id": sid,
                        "service_name": ev.service.name,
                        "need": need,
                        "rule": rid,
                        "text": message("shown-on-request", text=text),
                        "on_request": True,
                    },
                )
            )


def _needs_to_list(
    a: Assessment, always: Mapping[str, tuple[str, str]], all_needs: bool
) -> list[tuple[str, int, str | None]]:
    """(need, priority, why listed) in the client's priority order: the ranked needs,
    plus the needs a rule lists whatever their rank (priority 0: not ranked)."""
    listed: list[tuple[str, int, str | None]] = [(n, p, None) for n, p in a.ranked(1 if all_needs else 3)]
    have = {n for n, _, _ in listed}
    extra: list[tuple[str, int, str | None]] = [
        (n, a.needs.get(n, 0), reason) for n, (_, reason) in always.items() if n not in have
    ]
    if not extra:
        return listed
    return sorted(listed + extra, key=lambda x: (-x[1], NEEDS[x[0]].order))


def _status(
    req: _Request, need: str, keyed: list[OptionKey], cands: Sequence[str], misses: list[_Eval]
) -> tuple[str, Unmet | None]:
    """Whether the need is met and, when it is not, what stands in the way.

    Met takes an option that is not shown on request only; under employment, a job.
    """
    usable = [k for k in keyed if not k.on_request]
    if need == "employment":
        jobs = [k for k in usable if not k.not_a_job]
        if usable and not jobs:
            job_misses = [ev for ev in misses if is_job(ev.service)]
            return "no_job_yet", Unmet.model_construct(
                text=message("no-job-yet", where=_where(req.places)), near_misses=_near_misses(req, job_misses)
            )
        usable = jobs
    if usable:
        return "met", None
    label = NEEDS[need].label.lower()
    if keyed:
        text = message("only-on-request", label=label)
    elif not cands:
        text = PROPOSE_TEXTS["none-found"].format(label=label, where=_where(req.places))
    else:
        text = PROPOSE_TEXTS["all-ruled-out"].format(label=label, where=_where(req.places))
    return "unmet", Unmet.model_construct(text=text, near_misses=_near_misses(req, misses))


def _near_misses(req: _Request, misses: list[_Eval]) -> list[NearMiss]:
    def blocks(ev: _Eval) -> Sequence[tuple[str, str]]:
        return ev.excluded or [(rid, message("shown-on-request", text=t)) for rid, t in ev.on_request]

    ordered = sorted(misses, key=lambda ev: (len(blocks(ev)), req.place(ev.service), ev.service.id))
    return [
        built(
            NearMiss,
            {
                "service_id": ev.service.id,
                "service_name": ev.service.name,
                "provider_name": req.catalog.organization(ev.service.organization_id).name,
                "blocked_by": [t for _, t in blocks(ev)],
                "rules": [r for r, _ in blocks(ev)],
            },
        )
        for ev in ordered[:_NEAR_MISSES]
    ]
