"""The client's own spending plan: amounts per need, with notes in the client's
language, against their ranked needs. Editable any time; every version is kept (the
service appends, never overwrites). A plan never exceeds what was paid plus what is
still due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import NEED_IDS, Problem, ValidationFailed

from .money import as_amount, cents, money_text

__all__ = ["PlanLine", "PlanVersion", "check_plan", "plan_total"]

_KEYS = ("need", "amount", "note")


class PlanLine(BaseModel):
    """One need of the plan: how much the client means to spend on it, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    need: str
    amount: Decimal = Field(ge=0)
    note: str | None = Field(default=None, max_length=500)


class PlanVersion(BaseModel):
    """One version of a client's plan (1 is the first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    lines: list[PlanLine]
    total: Decimal
    currency: str
    language: str | None = Field(default=None, description="The language the notes are in (the client's)")
    created_at: dt.datetime
    created_by: str


def plan_total(lines: Sequence[PlanLine]) -> Decimal:
    return cents(sum((line.amount for line in lines), Decimal(0)))


def check_plan(
    raw: object, ranked_needs: Sequence[str], limit: Decimal, currency: str, *, field: str = "lines"
) -> list[PlanLine]:
    """Validate a plan ``[{need, amount, note}]``: each need one the client ranked (or,
    with no ranking, any of the 21), at most once; amounts exact, 0 or more; together
    no more than ``limit`` (what was paid plus what is due).

    Raises ValidationFailed with every problem, each naming its field; going over the
    limit names ``field`` and the limit.

    >>> check_plan([{"need": "housing", "amount": "6000"}], ["housing"], Decimal("27000"), "THB")
    [PlanLine(need='housing', amount=Decimal('6000.00'), note=None)]
    """
    problems: list[Problem] = []
    needs = list(ranked_needs) or list(NEED_IDS)
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise ValidationFailed([Problem(field, "must be a list of {need, amount, note}", list(_KEYS))], "spending plan")
    out: list[PlanLine] = []
    seen: set[str] = set()
    for i, line in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(line, Mapping):
            problems.append(Problem(where, "must be an object {need, amount, note}", list(_KEYS), line))
            continue
        ok = True
        for key in sorted(set(line) - set(_KEYS)):
            problems.append(Problem(f"{where}.{key}", "unknown field", list(_KEYS), key))
            ok = False
        need = line.get("need")
        if need not in needs:
            problems.append(Problem(f"{where}.need", f"{need!r} is not one of the client's ranked needs", needs, need))
            ok = False
        elif need in seen:
            problems.append(Problem(f"{where}.need", f"{need!r} is planned twice: one line per need", needs, need))
            ok = False
        amount = as_amount(line.get("amount"), f"{where}.amount", problems)
        note = line.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 500):
            problems.append(Problem(f"{where}.note", "must be text of at most 500 characters", ["text"], note))
            ok = False
        if ok and amount is not None:
            seen.add(str(need))
            out.append(PlanLine(need=str(need), amount=amount, note=note))
    total = plan_total(out)
    if total > limit:
        problems.append(
            Problem(
                field,
                f"the plan adds up to {money_text(total, currency)}, more than the "
                f"{money_text(limit, currency)} paid and still due",
                [f"at most {limit} {currency} in all"],
                str(total),
            )
        )
    if problems:
        raise ValidationFailed(problems, "spending plan")
    return out
