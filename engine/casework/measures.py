"""Measures that reflect empowerment, computed from case records (not headcounts).

Each :class:`Measure` states its definition, the number of clients it rests on, and
hides any figure (the measure or one of its groups) resting on fewer clients than
``min_group`` (default 5): such a figure is None and ``suppressed`` is true.

Pure functions over :class:`CaseRecord`: the same figures come from the database,
an export, the demo or a test that recomputes them by hand.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .followups import REFERRAL_OUTCOMES, FollowUp, journey, top_needs
from .plans import PlanLine
from .transfers import Payment, ScheduledTransfer

__all__ = [
    "CaseRecord",
    "CaseReferral",
    "DEFINITIONS",
    "Measure",
    "MeasureGroup",
    "compute_measures",
    "render_measures",
]


class CaseReferral(BaseModel):
    """A referral of the case: which need, to whom, when it was made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    need: str
    provider_id: str
    created_at: dt.datetime


class CaseRecord(BaseModel):
    """Everything the measures read about one client (pseudonymous reference only)."""

    model_config = ConfigDict(extra="forbid")

    client_ref: str
    started_on: dt.date = Field(description="The day of the client's first choice")
    first_needs: dict[str, int]
    decisions: list[str] = Field(default_factory=list, description="The decision over each option list")
    options_offered: int = 0
    options_chosen: int = 0
    cash_chosen: bool = False
    referrals: list[CaseReferral] = Field(default_factory=list)
    transfers: list[ScheduledTransfer] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)
    plan: list[PlanLine] = Field(default_factory=list, description="The latest version of the spending plan")
    follow_ups: list[FollowUp] = Field(default_factory=list)


class MeasureGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str
    clients: int | None
    value: Any = None
    suppressed: bool = False


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    definition: str
    clients: int | None
    value: Any = None
    suppressed: bool = False
    groups: list[MeasureGroup] = Field(default_factory=list)


DEFINITIONS: dict[str, str] = {
    "top_needs_met": "Of the needs at each client's highest priority at the time of a follow-up (their latest "
    "ranking), the share the client says are met. Groups: the 1st, 2nd, ... follow-up of each client; the value "
    "is at each client's latest follow-up.",
    "top_priorities_served_first": "Of clients with at least one referral, the share whose first referral was "
    "for a need at their highest priority (first assessment).",
    "choices": "Options offered on the clients' option lists, how many the clients chose, and how many lists "
    "were chosen from, declined ('none of these') or deferred ('decide later').",
    "satisfaction_over_time": "At the 1st, 2nd, ... follow-up: mean satisfaction (1-5) and the share who would "
    "recommend the programme, of the clients who answered.",
    "dropouts": "Of clients with a case (a first choice), the share recorded as having left the programme at a "
    "follow-up.",
    "days_to_first_transfer": "Of clients with a paid transfer, the median days from their first choice to the "
    "first payment.",
    "referral_outcomes_by_provider": "Referral outcomes the clients report at follow-ups, by provider: how many of "
    "each outcome; a provider's group rests on the clients who reported on it.",
}


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


class _Suppress:
    def __init__(self, min_group: int) -> None:
        self.min_group = min_group

    def measure(self, name: str, clients: int, value: Any, groups: Sequence[MeasureGroup] = ()) -> Measure:
        small = clients < self.min_group
        return Measure(
            name=name,
            definition=DEFINITIONS[name],
            clients=None if small else clients,
            value=None if small else value,
            suppressed=small,
            groups=list(groups),
        )

    def group(self, label: str, clients: int, value: Any) -> MeasureGroup:
        small = clients < self.min_group
        return MeasureGroup(
            group=label, clients=None if small else clients, value=None if small else value, suppressed=small
        )


def _by_follow_up(
    cases: Sequence[CaseRecord], pick: Callable[[CaseRecord, int, FollowUp], Any]
) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for c in cases:
        for k, f in enumerate(sorted(c.follow_ups, key=lambda f: f.on), start=1):
            got = pick(c, k, f)
            if got is not None:
                out[k].append(got)
    return out


def _top_met(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    per_k: dict[int, list[tuple[int, int]]] = defaultdict(list)
    latest: list[tuple[int, int]] = []
    for c in cases:
        steps = journey(c.first_needs, c.started_on, c.follow_ups)[1:]
        for step in steps:
            per_k[step.step].append((step.top_needs_met, len(step.top_needs)))
        if steps:
            latest.append((steps[-1].top_needs_met, len(steps[-1].top_needs)))
    groups = [
        s.group(f"follow-up {k}", len(v), _share(sum(a for a, _ in v), sum(b for _, b in v)))
        for k, v in sorted(per_k.items())
    ]
    return s.measure("top_needs_met", len(latest), _share(sum(a for a, _ in latest), sum(b for _, b in latest)), groups)


def _served_first(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    with_ref = [c for c in cases if c.referrals]
    first = sum(1 for c in with_ref if min(c.referrals, key=lambda r: r.created_at).need in top_needs(c.first_needs))
    return s.measure("top_priorities_served_first", len(with_ref), _share(first, len(with_ref)))


def _choices(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    with_lists = [c for c in cases if c.decisions]
    decisions = Counter(d for c in with_lists for d in c.decisions)
    offered = sum(c.options_offered for c in with_lists)
    chosen = sum(c.options_chosen for c in with_lists)
    value = {
        "options_offered": offered,
        "options_chosen": chosen,
        "share_chosen": _share(chosen, offered),
        "lists_chosen_from": decisions.get("chosen", 0),
        "lists_declined": decisions.get("none_of_these", 0),
        "lists_deferred": decisions.get("decide_later", 0),
    }
    return s.measure("choices", len(with_lists), value)


def _satisfaction(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    answers = _by_follow_up(
        cases,
        lambda c, k, f: (
            (c.client_ref, f.satisfaction, f.would_recommend)
            if f.satisfaction is not None or f.would_recommend is not None
            else None
        ),
    )
    groups = []
    for k, rows in sorted(answers.items()):
        sat = [r[1] for r in rows if r[1] is not None]
        rec = [r[2] for r in rows if r[2] is not None]
        value = {
            "mean_satisfaction": round(statistics.fmean(sat), 2) if sat else None,
            "share_would_recommend": _share(sum(rec), len(rec)),
        }
        groups.append(s.group(f"follow-up {k}", len({r[0] for r in rows}), value))
    clients = len({r[0] for rows in answers.values() for r in rows})
    all_sat = [r[1] for rows in answers.values() for r in rows if r[1] is not None]
    all_rec = [r[2] for rows in answers.values() for r in rows if r[2] is not None]
    overall = {
        "mean_satisfaction": round(statistics.fmean(all_sat), 2) if all_sat else None,
        "share_would_recommend": _share(sum(all_rec), len(all_rec)),
    }
    return s.measure("satisfaction_over_time", clients, overall, groups)


def _dropouts(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    left = sum(1 for c in cases if any(f.dropped_out for f in c.follow_ups))
    return s.measure("dropouts", len(cases), {"dropped_out": left, "share": _share(left, len(cases))})


def _first_transfer(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    days = [(min(p.paid_on for p in c.payments) - c.started_on).days for c in cases if c.payments]
    value = {"median_days": statistics.median(days) if days else None}
    return s.measure("days_to_first_transfer", len(days), value)


def _by_provider(cases: Sequence[CaseRecord], s: _Suppress) -> Measure:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    clients: dict[str, set[str]] = defaultdict(set)
    for c in cases:
        for f in c.follow_ups:
            for r in f.referral_outcomes:
                provider = r.provider_id or "unknown"
                counts[provider][r.outcome] += 1
                clients[provider].add(c.client_ref)
    groups = [s.group(p, len(clients[p]), {o: counts[p].get(o, 0) for o in REFERRAL_OUTCOMES}) for p in sorted(counts)]
    reporting = set().union(*clients.values()) if clients else set()
    total = Counter[str]()
    for v in counts.values():
        total.update(v)
    return s.measure(
        "referral_outcomes_by_provider", len(reporting), {o: total.get(o, 0) for o in REFERRAL_OUTCOMES}, groups
    )


def compute_measures(cases: Iterable[CaseRecord], *, min_group: int = 5) -> dict[str, Measure]:
    """Every measure over ``cases``, by name (in :data:`DEFINITIONS` order)."""
    if min_group < 1:
        raise ValueError("min_group must be 1 or more")
    rows = list(cases)
    s = _Suppress(min_group)
    out = [
        _top_met(rows, s),
        _served_first(rows, s),
        _choices(rows, s),
        _satisfaction(rows, s),
        _dropouts(rows, s),
        _first_transfer(rows, s),
        _by_provider(rows, s),
    ]
    return {m.name: m for m in out}


def _text(value: Any) -> str:
    if value is None:
        return "hidden (too few clients)"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_text(v) if v is not None else '-'}" for k, v in value.items())
    if isinstance(value, float) and 0 <= value <= 1:
        return f"{value:.0%}"
    return str(value)


# Measures whose figures count something other than clients: the label says what, so
# "(10 clients): referrals helped 11" does not read as eleven of ten clients.
_COUNTED = {"referral_outcomes_by_provider": "referrals "}


def render_measures(measures: dict[str, Measure]) -> str:
    """The measures as a programme manager reads them: figure, clients, the groups
    shown, and how many groups are hidden for resting on too few clients."""
    lines = []
    for m in measures.values():
        n = "fewer than the minimum" if m.clients is None else str(m.clients)
        unit = _COUNTED.get(m.name, "") if m.value is not None else ""
        lines.append(f"{m.name.replace('_', ' ')} ({n} clients): {unit}{_text(m.value)}")
        for g in m.groups:
            if not g.suppressed:
                lines.append(f"    {g.group} ({g.clients} clients): {unit}{_text(g.value)}")
        hidden = sum(g.suppressed for g in m.groups)
        if hidden:
            lines.append(f"    {hidden} group(s) hidden: too few clients")
    return "\n".join(lines)
