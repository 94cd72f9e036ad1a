"""Follow-ups: what the client says, dated, at any interval, and the journey they make.

A follow-up records actual spending per need as the client reports it, an outcome per
need (``met``, ``partly``, ``not_yet``, ``no_longer_priority``), referral outcomes, an
optional re-ranking of the 21 needs (stored by the service as a new assessment linked
to the first), the client's own words, the caseworker's case note, their satisfaction and whether they would
recommend the programme, and whether they left it (a drop-out).

:func:`journey` replays the records in date order: the journey of the first k
follow-ups is always the first k+1 steps of the whole journey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from freechoice.catalog import NEED_IDS, Problem, ValidationFailed

from .programme import Programme
from .transfers import add_months

__all__ = [
    "DueFollowUp",
    "FollowUp",
    "JourneyStep",
    "OUTCOMES",
    "REFERRAL_OUTCOMES",
    "ReferralOutcome",
    "follow_ups_due",
    "journey",
    "top_needs",
]

Outcome = Literal["met", "partly", "not_yet", "no_longer_priority"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
ReferralResult = Literal["helped", "partly_helped", "not_helped", "not_used"]
REFERRAL_OUTCOMES: tuple[str, ...] = get_args(ReferralResult)


class ReferralOutcome(BaseModel):
    """What came of one referral, as the client tells it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    referral_id: str = Field(max_length=64)
    provider_id: str | None = Field(default=None, max_length=128)
    outcome: ReferralResult


def _needs_problem(keys: Sequence[str], field: str) -> list[Problem]:
    return [
        Problem(f"{field}.{k}", f"{k!r} is not one of the 21 needs", NEED_IDS, k) for k in keys if k not in NEED_IDS
    ]


# an amount on the wire: a decimal string (never a float), bounded like every input
SpentAmount = Annotated[
    Decimal,
    WithJsonSchema({"type": "string", "maxLength": 32, "pattern": r"^\d{1,12}(\.\d{1,2})?$", "examples": ["1500.00"]}),
]
Priority = Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 4})]  # checked by _needs


class FollowUp(BaseModel):
    """One follow-up record (see the module docstring)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "on": "2027-01-02",
                    "spent": {"housing": "4000.00"},
                    "outcomes": {"housing": "partly", "employment": "not_yet"},
                    "referral_outcomes": [{"referral_id": "rf-1", "provider_id": "org-x", "outcome": "helped"}],
                    "needs": {"employment": 4, "housing": 3},
                    "words": "The room is fine; I want work next.",
                    "satisfaction": 4,
                    "would_recommend": True,
                }
            ]
        },
    )

    on: dt.date
    spent: dict[str, SpentAmount] = Field(default_factory=dict, description="need -> amount the client says they spent")
    outcomes: dict[str, Outcome] = Field(default_factory=dict, description="need -> outcome")
    referral_outcomes: list[ReferralOutcome] = Field(default_factory=list, max_length=100)
    needs: dict[str, Priority] | None = Field(default=None, description="A re-ranking of the needs (priority 1-4)")
    words: str | None = Field(default=None, max_length=4000, description="The client's own words")
    note: str | None = Field(default=None, max_length=4000, description="The caseworker's case note")
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    would_recommend: bool | None = None
    dropped_out: bool = Field(default=False, description="The client left the programme")

    @field_validator("spent")
    @classmethod
    def _spent(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        problems = _needs_problem(list(v), "spent")
        problems += [
            Problem(f"spent.{k}", "must be 0 or more with at most 2 decimal places", ["e.g. '1500.00'"], str(a))
            for k, a in v.items()
            if not a.is_finite()
            or a < 0
            or (isinstance(a.as_tuple().exponent, int) and int(a.as_tuple().exponent) < -2)
        ]
        if problems:
            raise ValidationFailed(problems, "follow-up")
        return v

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, v: dict[str, str]) -> dict[str, str]:
        problems = _needs_problem(list(v), "outcomes")
        if problems:
            raise ValidationFailed(problems, "follow-up")
        return v

    @field_validator("needs")
    @classmethod
    def _needs(cls, v: dict[str, int] | None) -> dict[str, int] | None:
        if v is None:
            return v
        problems = _needs_problem(list(v), "needs")
        problems += [
            Problem(f"needs.{k}", "priority must be 1-4", [1, 2, 3, 4], p) for k, p in v.items() if not 1 <= p <= 4
        ]
        if not v:
            problems.append(Problem("needs", "a re-ranking ranks at least one need", NEED_IDS))
        if problems:
            raise ValidationFailed(problems, "follow-up")
        return v


class DueFollowUp(BaseModel):
    """A follow-up the programme plans: when, and whether one was recorded for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    month: int
    due_on: dt.date
    status: Literal["done", "due", "overdue", "upcoming"]
    done_on: dt.date | None = None


def follow_ups_due(
    start: dt.date, done: Sequence[dt.date], today: dt.date, programme: Programme, *, window_days: int = 14
) -> list[DueFollowUp]:
    """The programme's follow-ups for a case started on ``start`` (``follow_up_months``
    after it). Each recorded follow-up counts for the first planned one it falls within
    ``window_days`` before (or any time after) that is still open; a planned one is
    ``due`` from ``window_days`` before its date, ``overdue`` after it, else ``upcoming``."""
    left = sorted(done)
    out = []
    for month in programme.follow_up_months:
        due_on = add_months(start, month)
        match = next((d for d in left if d >= due_on - dt.timedelta(days=window_days)), None)
        if match is not None:
            left.remove(match)
            out.append(DueFollowUp(month=month, due_on=due_on, status="done", done_on=match))
        elif today > due_on:
            out.append(DueFollowUp(month=month, due_on=due_on, status="overdue"))
        elif today >= due_on - dt.timedelta(days=window_days):
            out.append(DueFollowUp(month=month, due_on=due_on, status="due"))
        else:
            out.append(DueFollowUp(month=month, due_on=due_on, status="upcoming"))
    return out


def top_needs(needs: dict[str, int]) -> list[str]:
    """The needs at the client's highest priority (in the 21 needs' order)."""
    if not needs:
        return []
    top = max(needs.values())
    return [n for n in NEED_IDS if needs.get(n) == top]


class JourneyStep(BaseModel):
    """Where the client stood at one point: their ranking then, and what they said."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on: dt.date
    step: int = Field(description="0: the first assessment; 1, 2, ...: follow-ups")
    needs: dict[str, int]
    top_needs: list[str]
    re_ranked: bool
    outcomes: dict[str, str]
    spent_so_far: dict[str, Decimal]
    top_needs_met: int
    satisfaction: int | None = None
    dropped_out: bool = False


def journey(first_needs: dict[str, int], started_on: dt.date, follow_ups: Sequence[FollowUp]) -> list[JourneyStep]:
    """The client's journey: the first assessment, then each follow-up in date order,
    the ranking carried forward until re-ranked, spending summed, and how many of the
    top needs of that time the client says are met."""
    steps = [
        JourneyStep(
            on=started_on,
            step=0,
            needs=dict(first_needs),
            top_needs=top_needs(first_needs),
            re_ranked=False,
            outcomes={},
            spent_so_far={},
            top_needs_met=0,
        )
    ]
    needs = dict(first_needs)
    spent: dict[str, Decimal] = {}
    for i, f in enumerate(sorted(follow_ups, key=lambda f: f.on), start=1):
        if f.needs is not None:
            needs = dict(f.needs)
        for k, v in f.spent.items():
            spent[k] = spent.get(k, Decimal(0)) + v
        top = top_needs(needs)
        steps.append(
            JourneyStep(
                on=f.on,
                step=i,
                needs=dict(needs),
                top_needs=top,
                re_ranked=f.needs is not None,
                outcomes=dict(f.outcomes),
                spent_so_far=dict(sorted(spent.items())),
                top_needs_met=sum(1 for n in top if f.outcomes.get(n) == "met"),
                satisfaction=f.satisfaction,
                dropped_out=f.dropped_out,
            )
        )
    return steps
