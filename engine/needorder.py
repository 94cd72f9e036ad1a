"""One need's options in order, worked out only as far as they are read (best first).

A need's candidates come from the index (the client's places, the need's kinds). Ordering
them the plain way takes every candidate's rules' verdict and pathway walk, so a list's
cost grows with the catalog. Here each candidate first gets a *bound*: the best place in
the need's order it could take, known without its verdict:

- not shown on request and not put last (a rule may still do either);
- whether it is a job (its kinds);
- put first only if a rule that applies to it could put it first under this need;
- the score it would have if every boost that applies to it fired (and its ratings);
- its place, then its id.

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

from . import lookups
from .ordering import OWN_AREA, REMOTE, OptionKey, fit_score, is_job, quality_weight

if TYPE_CHECKING:
    from .propose import _Eval, _InNeed, _Program, _Request

__all__ = ["NeedOrder", "Ranked"]

# candidates weighed together (their tags and verdicts are looked up in one go)
_BATCH = 8


@dataclass(slots=True)
class Ranked:
    """A usable service under one need, with its place in the need's order."""

    key: OptionKey
    ev: _Eval
    here: _InNeed


def _rule_bound(program: _Program, need: str) -> tuple[bool, float, tuple[float, ...]]:
    """What the rules that apply to a tag set could do at best under ``need``: whether
    none can put it first, the sum of the boosts not scoped to a need (in rule order, as
    the verdict adds them), and the boosts scoped to this need."""
    not_first = True
    weight = 0.0
    scoped: list[float] = []
    for _rid, _getter, _want, kind, value, _reason, scope in program.rules:
        if scope is None:
            if kind == "boost":
                weight += value
            elif kind == "rank" and value == "first":
                not_first = False
        elif need in scope:
            if kind == "boost":
                scoped.append(value)
            elif kind == "rank" and value == "first":
                not_first = False
    return not_first, weight, tuple(scoped)


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
        self.cands: Sequence[str] = lookups.sorted_candidates(req.catalog, self.kinds, req.places)
        self.groups: list[list[Ranked]] = []
        self.keys: list[OptionKey] = []
        self.misses: list[_Eval] = []
        self._ranked: dict[str, Ranked] = {}
        self._weighed: set[str] = set()
        self._placed_exactly: set[str] = set()
        self._ready: list[tuple[OptionKey, Ranked]] = []
        self._gkeys: set[tuple[str, str, bool]] = set()
        # the need's remote candidates by (provider, kind as grouped), in id order
        self._remote: dict[tuple[str, str], list[str]] = {}
        self._pending = self._bounds()
        heapq.heapify(self._pending)

    # ------------------------------------------------------------------ bounds
    def _bounds(self) -> list[tuple[Any, ...]]:
        """Every candidate's bound (see the module doc), its place at first only remote or
        not (the exact place is worked out when the bound reaches the front)."""
        req, need = self.req, self.need
        if not self.cands:
            return []
        tags = req.rules.service_tags(req.catalog, self.cands)
        card = req.catalog.card
        program_for = req.plan.program_for
        quality = req.quality
        employment = need == "employment"
        memo: dict[Any, tuple[bool, float, tuple[float, ...], float]] = {}
        out: list[tuple[Any, ...]] = []
        kinds = self.kinds
        for sid in self.cands:
            c = card(sid)
            if c.remote:
                kind = next((k for k in c.kinds if k in kinds), c.kinds[0])
                self._remote.setdefault((c.organization_id, kind), []).append(sid)
            program = program_for(tags[sid])
            found = memo.get(program)
            if found is None:
                not_first, weight, scoped = _rule_bound(program, need)
                found = memo[program] = (not_first, weight, scoped, fit_score(weight) if not scoped else 0.0)
            not_first, weight, scoped, plain = found
            q = quality.get(sid)
            if q is None and not scoped:
                score = plain
            else:
                if q is not None:
                    weight += quality_weight(q[0], q[1])
                for boost in scoped:
                    weight += boost
                score = fit_score(weight)
            out.append(
                (False, False, employment and not is_job(c), not_first, -score, REMOTE if c.remote else OWN_AREA, sid)
            )
        return out

    # ------------------------------------------------------------------ placing
    @property
    def done(self) -> bool:
        """Whether every candidate has been weighed and every option placed."""
        return not self._ready and len(self._weighed) == len(self.cands)

    def at_most(self, after: int) -> int:
        """At most how many options come after the first ``after`` (exact once :attr:`done`)."""
        return len(self.groups) - after + len(self._ready) + len(self.cands) - len(self._weighed)

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
            if sid not in self._placed_exactly:
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
        kind = next((k for k in svc.kinds if k in self.kinds), svc.kinds[0])
        gkey = (svc.organization_id, kind, r.key.on_request)
        if gkey in self._gkeys:
            return  # an alternative inside its provider's option, placed already
        self._gkeys.add(gkey)
        same = self._remote.get((svc.organization_id, kind), ())
        others = [s for s in same if s not in self._weighed]
        if others:
            self._weigh(others)
        members = [m for s in same if (m := self._ranked.get(s)) is not None and m.key.on_request == r.key.on_request]
        members.sort(key=lambda m: m.key)
        self.groups.append(members)
