"""One need's options in order, worked out only as far as they are read (best first).

A need's candidates come from the index (the client's places, the need's kinds). Ordering
them the plain way takes every candidate's rules' verdict and pathway walk, so a list's
cost grows with the catalog. Here each candidate first gets a *bound*: the best place in
the need's order it could take, known without its verdict:

- shown on request or put last only if a rule certainly does so;
- whether it is a job (its kinds);
- put first only if a rule that applies to it could put it first under this need;
- the score it would have if every boost that could apply fired (and its ratings);
- remote or not (its exact place is worked out when the bound reaches the front), then its id.

A rule that tests nothing of the pair, or only facts read off the service record
(:data:`~freechoice.engine.predicates.CARD_FACTS`: a shared language, interpretation,
full, eligibility), is decided in the bound; a candidate such a rule leaves out can be
no option and is weighed last, only for its exclusion.

A candidate is *weighed* (its verdict and walk worked out) only when its bound could come
before the best option not yet placed; an option is placed when no candidate still
unweighed could come before it. So the first N options cost about the candidates that
could compete for them, and the order is exactly the one weighing every candidate gives
(:func:`~freechoice.engine.propose` with no limit does that, through the same code).

Remote services of one provider and kind are one option, at the place of the best of
them: when such an option is placed, the provider's other remote services of that kind
are weighed at once, so the option comes with all its alternatives.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from freechoice.catalog import kinds_for_need

from .ordering import OWN_AREA, REMOTE, OptionKey, fit_score, is_job, quality_weight
from .predicates import CARD_FACTS, profile_facts
from .rows import Row, candidate_buckets, group_kind, unique_rows

if TYPE_CHECKING:
    from .propose import _Eval, _InNeed, _Program, _Request

__all__ = ["NeedOrder", "Ranked", "best_provider"]

# bounds kept per rules plan (a few per tag set, need and facts read off the record)
_BOUNDS_KEPT = 65_536
# candidates weighed together (their tags and verdicts are looked up in one go)
_BATCH = 4


@dataclass(slots=True)
class Ranked:
    """A usable service under one need, with its place in the need's order."""

    key: OptionKey
    ev: _Eval
    here: _InNeed


@dataclass(frozen=True, slots=True)
class _RuleBound:
    """What the rules that apply to one tag set can do at best to a candidate under one
    need, given the match facts read off its record (``CARD_FACTS``): a rule that tests
    only those (or nothing) is decided; any other may or may not fire."""

    doomed: bool  # certainly excluded (or shown only on request, unless show_all)
    on_request: bool  # certainly shown only on request
    last: bool  # certainly put last
    not_first: bool  # no rule can put it first
    terms: tuple[float, ...]  # the weight's terms in rule order, each its largest possible value
    scoped: tuple[float, ...]  # the same for the rules scoped to this need (added after ratings)


def _rule_bound(
    req: _Request, program: _Program, need: str | None, facts: dict[str, Any], show_all: bool
) -> _RuleBound:
    on_request = last = False
    not_first = True
    terms: list[float] = []
    scoped: list[float] = []
    for rid, getter, want, kind, value, _reason, scope in program.rules:
        if getter is None:
            fires: bool | None = True
        elif all(k in facts for k in req.plan.keys_of(rid)):
            fires = getter(facts) == want
        else:
            fires = None  # undecided until weighed
        if kind == "exclude" and fires:
            return _RuleBound(True, False, False, True, (), ())
        if kind == "on_request":
            on_request = on_request or bool(fires)
            continue
        if scope is not None and need not in scope:
            continue
        into = terms if scope is None else scoped
        if kind == "boost" and fires is not False:
            into.append(value)
        elif kind == "demote" and fires:
            into.append(-value)
        elif kind == "rank":
            if value == "first" and fires is not False:
                not_first = False
            elif value == "last" and fires:
                last = True
    return _RuleBound(on_request and not show_all, on_request, last, not_first, tuple(terms), tuple(scoped))


def _weight(terms: tuple[float, ...]) -> float:
    """The terms summed in rule order, as the verdict sums them (so a bound's rounding
    can never fall below the weight it bounds)."""
    weight = 0.0
    for t in terms:
        weight += t
    return weight


def _bound_of(
    req: _Request, program: _Program, need: str | None, values: tuple[Any, ...], show_all: bool
) -> tuple[_RuleBound, float]:
    """:func:`_rule_bound` (and its score with no ratings), kept per rules plan."""
    memo = req.plan.bounds
    key = (program, need, values, show_all)
    found = memo.get(key)
    if found is None:
        rb = _rule_bound(req, program, need, dict(zip(CARD_FACTS, values, strict=True)), show_all)
        if len(memo) >= _BOUNDS_KEPT:
            memo.clear()
        found = memo[key] = (rb, fit_score(_weight(rb.terms)))
    return found


def best_provider(req: _Request, rows: Sequence[Row]) -> _Eval | None:
    """The usable service among ``rows`` (one kind's candidates) with the shortest chain
    of steps behind it, best score first, then by name and id: worked out best first, as
    a need's options are (a bound from the record: the chain, the best score its rules
    allow), so only the candidates that could come first are weighed."""
    if not rows:
        return None
    program_for = req.plan.program_for
    chain = req.graph.chain_length
    satisfied = req.satisfied
    cv = req.cv
    pending: list[tuple[Any, ...]] = []
    for sid, c, tags, _group, _job, profile in rows:
        rb, plain = _bound_of(req, program_for(tags), None, profile_facts(cv, profile), False)
        if rb.doomed:
            continue  # excluded or shown only on request: never a step's provider
        q = req.quality.get(sid)
        score = plain if q is None else fit_score(_weight(rb.terms) + quality_weight(q[0], q[1]))
        pending.append((chain(sid, satisfied), -score, c.name, sid))
    heapq.heapify(pending)
    ready: list[tuple[Any, ...]] = []
    while pending or ready:
        if ready and (not pending or ready[0] <= pending[0]):
            ev: _Eval = heapq.heappop(ready)[4]
            if req.usable(ev):
                return ev
            continue
        batch: list[str] = []
        while pending and len(batch) < _BATCH and (not ready or pending[0] < ready[0]):
            batch.append(heapq.heappop(pending)[3])
        req.evaluate(batch)
        for sid in batch:
            ev = req.evals[sid]
            if not ev.excluded and not ev.on_request:
                heapq.heappush(ready, (chain(sid, satisfied), -ev.score, ev.service.name, sid, ev))
    return None


#: the bound of a candidate no rule can leave in: after every option
_DOOMED = (True, True, True, True, 2.0, 99)


class NeedOrder:
    """One need's options in order, placed as they are asked for (:meth:`fill`).

    ``groups`` holds the options placed so far, each its service then its alternatives;
    ``keys`` the order keys of every usable service weighed; ``misses`` every service
    weighed that cannot be offered, in the order they were weighed. What is placed and
    weighed after ``fill(n)`` depends only on the inputs and ``n``."""

    def __init__(self, req: _Request, need: str, priority: int, because: str | None, show_all: bool) -> None:
        self.req = req
        self.need = need
        self.priority = priority
        self.because = because
        self.show_all = show_all
        self.suggest_reasons = {k: (rid, text) for k, rid, text in req.suggested.get(need, [])}
        self.kinds = set(kinds_for_need(need)) | set(self.suggest_reasons)
        self._buckets = candidate_buckets(req.catalog, req.rules, frozenset(self.kinds), req.places)
        self.cands: Sequence[str] = ()
        self.groups: list[list[Ranked]] = []
        self.keys: list[OptionKey] = []
        self.misses: list[_Eval] = []
        self._ranked: dict[str, Ranked] = {}
        self._weighed: set[str] = set()
        self._placed_exactly: set[str] = set()
        # candidates a rule decided on their record alone leaves out: weighed last, only
        # for their exclusions (when a page reaches the end), never an option
        self._doomed: set[str] = set()
        self._doomed_weighed = 0
        self._ready: list[tuple[OptionKey, Ranked]] = []
        self._gkeys: set[tuple[str, str, bool]] = set()
        self._pending = self._bounds()
        heapq.heapify(self._pending)

    # ------------------------------------------------------------------ bounds
    def _bounds(self) -> list[tuple[Any, ...]]:
        """Every candidate's bound (see the module doc), its place at first only remote or
        not (the exact place is worked out when the bound reaches the front). Fills
        :attr:`cands` (each candidate once)."""
        req, need = self.req, self.need
        program_for = req.plan.program_for
        quality = req.quality
        employment = need == "employment"
        show_all = self.show_all
        cv = req.cv
        out: list[tuple[Any, ...]] = []
        cands: list[str] = []
        known = req.rows
        for row in unique_rows(self._buckets):
            sid, _card, tags, group, job, profile = row
            cands.append(sid)
            known[sid] = row
            rb, plain = _bound_of(req, program_for(tags), need, profile_facts(cv, profile), show_all)
            if rb.doomed:
                self._doomed.add(sid)
                out.append((*_DOOMED, sid))
                continue
            q = quality.get(sid)
            if q is None and not rb.scoped:
                score = plain
            else:
                weight = _weight(rb.terms)
                if q is not None:
                    weight += quality_weight(q[0], q[1])
                for t in rb.scoped:
                    weight += t
                score = fit_score(weight)
            out.append(
                (
                    rb.on_request,
                    rb.last,
                    employment and not job,
                    rb.not_first,
                    -score,
                    OWN_AREA if group is None else REMOTE,
                    sid,
                )
            )
        self.cands = cands
        return out

    def _group(self, key: tuple[str, str]) -> list[str]:
        """The ids of a remote group's members (every candidate of the need that is), in id order."""
        found = [m for b in self._buckets for m in b.remote.get(key, ())]
        if len(self._buckets) > 1:
            found = sorted(set(found))
        return found

    # ------------------------------------------------------------------ placing
    @property
    def settled(self) -> bool:
        """Whether every option is placed (what is left unweighed can be no option)."""
        return not self._ready and self._open() == 0

    def _open(self) -> int:
        """Candidates not yet weighed that could still be options."""
        return len(self.cands) - len(self._weighed) - (len(self._doomed) - self._doomed_weighed)

    def at_most(self, after: int) -> int:
        """At most how many options come after the first ``after`` (exact once :attr:`settled`)."""
        return len(self.groups) - after + len(self._ready) + self._open()

    def fill_list(self, limit: int | None) -> None:
        """Place what a list shows with ``limit`` options (None: every one), and one more
        to know whether there are more. Under employment with no job among the options
        found, every candidate is weighed: the list then names every job ruled out."""
        self.fill(None if limit is None else limit + 1)
        if self.need == "employment" and not any(not k.on_request and not k.not_a_job for k in self.keys):
            self.fill(None)

    def fill(self, n: int | None) -> None:
        """Place options until ``n`` are placed (None: every one) or none are left."""
        ready, pending = self._ready, self._pending
        while n is None or len(self.groups) < n:
            if ready and (not pending or ready[0][0] <= pending[0]):
                self._place(heapq.heappop(ready)[1])
            elif pending:
                self._weigh_front()
            else:
                return

    def iter_groups(self, start: int = 0) -> Iterator[list[Ranked]]:
        """The options from position ``start`` on, placed one at a time as they are read."""
        i = start
        while True:
            self.fill(i + 1)
            if i >= len(self.groups):
                return
            yield self.groups[i]
            i += 1

    def _weigh_front(self) -> None:
        """Weigh the candidates whose bounds are at the front (at most a batch), their
        exact places first: a bound whose place was only a guess goes back in line."""
        req, pending, ready = self.req, self._pending, self._ready
        before = ready[0][0] if ready else None
        batch: list[str] = []
        while pending and len(batch) < _BATCH and (before is None or pending[0] < before):
            bound = heapq.heappop(pending)
            sid = bound[6]
            if sid in self._weighed:
                continue
            if sid not in self._placed_exactly and sid not in self._doomed:
                self._placed_exactly.add(sid)
                place = req.place(req.catalog.card(sid))
                if place != bound[5]:
                    heapq.heappush(pending, (*bound[:5], place, sid))
                    continue
            batch.append(sid)
        if batch:
            self._weigh(batch)

    def _weigh(self, batch: list[str]) -> None:
        req, need = self.req, self.need
        req.evaluate(batch)
        employment = need == "employment"
        for sid in batch:
            self._weighed.add(sid)
            if sid in self._doomed:
                self._doomed_weighed += 1
            ev = req.evals[sid]
            if not req.usable(ev) or (ev.on_request and not self.show_all):
                self.misses.append(ev)
                continue
            here = req.in_need(ev, need)
            key = OptionKey(
                bool(ev.on_request),
                here.last,
                employment and not is_job(ev.service),
                not here.first,
                -here.score,
                req.place(ev.service),
                sid,
            )
            ranked = self._ranked[sid] = Ranked(key, ev, here)
            self.keys.append(key)
            heapq.heappush(self._ready, (key, ranked))

    def _place(self, r: Ranked) -> None:
        """Place the best option not yet placed (with its alternatives, if remote)."""
        svc = r.ev.service
        if not svc.remote:
            self.groups.append([r])
            return
        kind = group_kind(svc, self.kinds)
        gkey = (svc.organization_id, kind, r.key.on_request)
        if gkey in self._gkeys:
            return  # an alternative inside its provider's option, placed already
        self._gkeys.add(gkey)
        same = self._group((svc.organization_id, kind))
        others = [s for s in same if s not in self._weighed]
        if others:
            self._weigh(others)
        members = [m for s in same if (m := self._ranked.get(s)) is not None and m.key.on_request == r.key.on_request]
        members.sort(key=lambda m: m.key)
        self.groups.append(members)
