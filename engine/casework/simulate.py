"""Six months of cash-plus casework for a synthetic cohort (fictional, seeded): the
demo's time dimension. Same cohort, option lists, programme, start and seed: the same
choices, transfers, payments, plans and follow-ups, every time.

Nothing here is data about real people: references, payment proofs and notes are
made up, and the notes say so.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from ..assessment import Assessment
from ..cash import cash_country
from ..options import OptionList
from .followups import REFERRAL_OUTCOMES, FollowUp, ReferralOutcome
from .measures import CaseRecord, CaseReferral
from .money import cents
from .plans import PlanLine
from .programme import Programme
from .transfers import Payment, add_months, make_schedule

__all__ = ["SIMULATION_START", "SimulatedCase", "simulate_casework"]

#: the pilot's season: the demo's cases start in the weeks after this day
SIMULATION_START = dt.date(2016, 1, 4)

_WORDS = [
    "The money let me choose what to pay first.",
    "I could send some home and still pay the rent.",
    "Finding work is slower than I hoped.",
    "I feel safer now that the room is paid.",
    "The legal clinic explained my wage claim clearly.",
]
_NOTES = [
    "Client reports rent paid for two months (fictional note).",
    "Met client with interpreter; asked to be called on +66 80 000 0000 (fictional number).",
    "Client visited the job fair with Ko Demo Person (fictional name).",
    "Debt to recruiter reduced; client wants training next (fictional note).",
]


@dataclass
class SimulatedCase:
    """One client's simulated casework: what they chose and the records that follow."""

    record: CaseRecord
    option_list_id: str
    option_ids: list[str] = field(default_factory=list)
    plan_language: str | None = None


def _choose(rng: random.Random, ol: OptionList) -> tuple[str, list[str]]:
    r = rng.random()
    if r < 0.07:
        return "none_of_these", []
    if r < 0.14:
        return "decide_later", []
    picked: list[str] = []
    for need in ol.needs:  # highest priority first
        if need.options and len(picked) < 3 and rng.random() < (0.6 if need.priority == 4 else 0.25):
            picked.append(need.options[0].option_id)
    if len(picked) > 1 and rng.random() < 0.25:
        rng.shuffle(picked)  # some clients put a lower priority first
    if rng.random() < 0.9 or not picked:
        picked.insert(0, ol.cash.option_id)
    return "chosen", picked


def _plan(rng: random.Random, ranked: list[str], total: Decimal) -> list[PlanLine]:
    top = ranked[: rng.randint(1, 3)]
    budget = total * Decimal("0.9")
    weights = [len(top) - i for i in range(len(top))]
    return [
        PlanLine(
            need=need,
            amount=(budget * w / sum(weights)).quantize(Decimal("1"), rounding=ROUND_DOWN).quantize(Decimal("0.01")),
        )
        for need, w in zip(top, weights, strict=True)
    ]


def _outcome(rng: random.Random, k: int, top: bool) -> str:
    met = min(0.85, (0.12 if top else 0.08) + 0.14 * k)
    return rng.choices(["met", "partly", "not_yet", "no_longer_priority"], weights=[met, 0.3, 0.6 - met / 2, 0.05])[0]


def simulate_casework(
    assessments: Sequence[Assessment],
    option_lists: Sequence[OptionList],
    programme: Programme,
    *,
    start: dt.date = SIMULATION_START,
    seed: int = 2016,
) -> tuple[list[SimulatedCase], dt.date]:
    """Each client's casework from their option list, and the day it runs up to (seven
    months after ``start``: every case has had its six-month follow-up due)."""
    rng = random.Random(seed)
    today = add_months(start, 7)
    out = []
    for a, ol in zip(assessments, option_lists, strict=True):
        began = start + dt.timedelta(days=rng.randint(0, 27))
        decision, picked = _choose(rng, ol)
        offered = {o.option_id: (o, n.need) for n in ol.needs for o in n.options}
        ranked = [n for n, _ in a.ranked()]
        created = dt.datetime.combine(began, dt.time(9), tzinfo=dt.UTC)
        referrals = [
            CaseReferral(
                need=offered[oid][1],
                provider_id=offered[oid][0].provider_id,
                created_at=created + dt.timedelta(minutes=i),
            )
            for i, oid in enumerate(p for p in picked if p in offered)
        ]
        cash = ol.cash.option_id in picked
        schedule, payments, plan = [], [], []
        if cash:
            country = cash_country(a)
            amount = None
            if country not in programme.amounts:
                amount = str(cents(Decimal(str(ol.cash.amount_per_transfer or 1))))
            schedule = make_schedule(
                country, began, programme, amount=amount, currency=None if amount is None else ol.cash.currency
            )
            for t in schedule:
                paid_on = t.due_on + dt.timedelta(days=rng.randint(0, 12))
                if rng.random() < 0.93 and paid_on <= today:
                    payments.append(
                        Payment(
                            number=t.number,
                            paid_on=paid_on,
                            amount=t.amount,
                            method=t.method,
                            reference=f"DEMO-{a.client_ref}-{t.number} (fictional)",
                            recorded_by="demo",
                        )
                    )
            plan = _plan(rng, ranked or ["current_expenses"], sum((t.amount for t in schedule), Decimal(0)))
        follow_ups: list[FollowUp] = []
        needs = dict(a.needs)
        if decision == "chosen":
            spent_so_far: dict[str, Decimal] = {}
            for k, month in enumerate(programme.follow_up_months, start=1):
                held = add_months(began, month) + dt.timedelta(days=rng.randint(-3, 6))
                if held > today or rng.random() < 0.08:
                    continue
                top = {n for n, p in needs.items() if p == max(needs.values())}
                outcomes = {n: _outcome(rng, k, n in top) for n in needs if needs[n] >= 3 or n in top}
                spent = {}
                paid_by_now = sum((p.amount for p in payments if p.paid_on <= held), Decimal(0))
                for line in plan:
                    share = Decimal(rng.randint(20, 45)) / 100
                    want = cents(min(line.amount * share, paid_by_now * share))
                    if want > 0:
                        spent[line.need] = want
                        spent_so_far[line.need] = spent_so_far.get(line.need, Decimal(0)) + want
                rerank = None
                if month == 3 and rng.random() < 0.4:
                    rerank = {
                        n: (1 if outcomes.get(n) in ("met", "no_longer_priority") else p) for n, p in needs.items()
                    }
                    needs = rerank
                satisfaction = rng.choices([2, 3, 4, 5], weights=[2, 3, 3 + k, 2 + k])[0]
                dropped = rng.random() < 0.04
                follow_ups.append(
                    FollowUp(
                        on=held,
                        spent=spent,
                        outcomes=outcomes,  # type: ignore[arg-type]
                        referral_outcomes=[
                            ReferralOutcome(
                                referral_id=f"demo-ref-{a.client_ref}-{i}",
                                provider_id=r.provider_id,
                                outcome=rng.choices(REFERRAL_OUTCOMES, weights=[5, 3, 1, 1])[0],  # type: ignore[arg-type]
                            )
                            for i, r in enumerate(referrals)
                        ]
                        if month == 2
                        else [],
                        needs=rerank,
                        words=rng.choice(_WORDS) if rng.random() < 0.5 else None,
                        note=rng.choice(_NOTES) if rng.random() < 0.5 else None,
                        satisfaction=satisfaction,
                        would_recommend=satisfaction >= 4 or rng.random() < 0.2,
                        dropped_out=dropped,
                    )
                )
                if dropped:
                    break
        record = CaseRecord(
            client_ref=a.client_ref,
            started_on=began,
            first_needs=dict(a.needs),
            decisions=[decision],
            options_offered=len(offered) + 1,
            options_chosen=len(picked),
            cash_chosen=cash,
            referrals=referrals,
            transfers=schedule,
            payments=payments,
            plan=plan,
            follow_ups=follow_ups,
        )
        languages = a.situation.languages
        out.append(SimulatedCase(record, ol.id, picked, languages[0] if languages else None))
    return out, today
