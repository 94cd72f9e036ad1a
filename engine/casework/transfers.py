"""Cash transfers: the schedule a client gets when they choose cash, the payments
recorded against it, and each transfer's status (due, paid, late, missed).

Pure functions over plain models: the service stores them, a test replays them.
Amounts are exact decimals; a transfer is paid at most once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import ConflictError, Problem, ValidationFailed

from .money import as_amount, cents
from .programme import Method, Programme

__all__ = [
    "Payment",
    "STATUSES",
    "ScheduledTransfer",
    "TransferState",
    "add_months",
    "check_payment",
    "make_schedule",
    "paid_and_due",
    "transfer_states",
    "transfer_status",
]

Status = Literal["due", "paid", "late", "missed"]
STATUSES: tuple[str, ...] = get_args(Status)


class ScheduledTransfer(BaseModel):
    """One transfer of a client's schedule (``number`` 1, 2, ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    due_on: dt.date
    amount: Decimal
    currency: str
    method: Method


class Payment(BaseModel):
    """A payment recorded against transfer ``number``: its proof is ``reference``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    paid_on: dt.date
    amount: Decimal
    method: Method
    reference: str = Field(min_length=1, max_length=128)
    recorded_by: str = Field(min_length=1, max_length=64)


class TransferState(BaseModel):
    """A scheduled transfer with its payment (if any) and its status on a given day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transfer: ScheduledTransfer
    payment: Payment | None
    status: Status
    days_overdue: int = 0


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter).

    >>> add_months(dt.date(2016, 1, 31), 1)
    datetime.date(2016, 2, 29)
    """
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def make_schedule(
    country: str,
    start: dt.date,
    programme: Programme,
    *,
    transfers: int | None = None,
    amount: object = None,
    currency: str | None = None,
    method: str | None = None,
) -> list[ScheduledTransfer]:
    """The transfers of a client paid in ``country``: the first on ``start``, then one
    every ``programme.interval_months``. ``transfers``, ``amount`` (with ``currency``)
    and ``method`` override the programme's for this client.

    Raises ValidationFailed naming each bad field (no amount for the country, an amount
    that is not exact, a method the programme does not use).

    >>> s = make_schedule("TH", dt.date(2016, 1, 15), Programme())
    >>> [(t.number, t.due_on.isoformat(), str(t.amount), t.currency) for t in s]
    [(1, '2016-01-15', '9000.00', 'THB'), (2, '2016-02-15', '9000.00', 'THB'), (3, '2016-03-15', '9000.00', 'THB')]
    """
    problems: list[Problem] = []
    count = programme.transfers if transfers is None else transfers
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 24:
        problems.append(Problem("transfers", "must be a whole number from 1 to 24", ["1-24"], count))
    value: Decimal | None
    if amount is None:
        if country not in programme.amounts:
            problems.append(
                Problem(
                    "amount",
                    f"the programme has no amount for {country}: give amount and currency",
                    sorted(programme.amounts),
                    country,
                )
            )
            value, cur = None, ""
        else:
            value, cur = programme.amounts[country]
            value, cur = cents(value), currency or cur
    else:
        value = as_amount(amount, "amount", problems, positive=True)
        cur = currency or (programme.amounts[country][1] if country in programme.amounts else "")
    if not (len(cur) == 3 and cur.isalpha() and cur.isupper()):
        problems.append(Problem("currency", "must be a 3-letter ISO 4217 code", ["e.g. THB, USD"], currency))
    how = method or programme.method
    if how not in programme.methods:
        problems.append(Problem("method", f"{how!r} is not a method this programme uses", programme.methods, how))
    if problems:
        raise ValidationFailed(problems, "transfer schedule")
    assert value is not None
    return [
        ScheduledTransfer(
            number=i + 1,
            due_on=add_months(start, i * programme.interval_months),
            amount=value,
            currency=cur,
            method=how,  # type: ignore[arg-type]
        )
        for i in range(count)  # type: ignore[arg-type]
    ]


def transfer_status(
    transfer: ScheduledTransfer, payment: Payment | None, today: dt.date, programme: Programme
) -> Status:
    """``paid`` with a payment; unpaid: ``due`` until ``late_after_days`` past its due
    date, then ``late``, and ``missed`` from ``missed_after_days`` on."""
    if payment is not None:
        return "paid"
    overdue = (today - transfer.due_on).days
    if overdue >= programme.missed_after_days:
        return "missed"
    if overdue >= programme.late_after_days:
        return "late"
    return "due"


def transfer_states(
    schedule: Sequence[ScheduledTransfer], payments: Iterable[Payment], today: dt.date, programme: Programme
) -> list[TransferState]:
    """Each transfer with its payment and status on ``today``."""
    by_number = {p.number: p for p in payments}
    return [
        TransferState(
            transfer=t,
            payment=by_number.get(t.number),
            status=transfer_status(t, by_number.get(t.number), today, programme),
            days_overdue=max(0, (today - t.due_on).days) if t.number not in by_number else 0,
        )
        for t in schedule
    ]


def paid_and_due(schedule: Sequence[ScheduledTransfer], payments: Iterable[Payment]) -> tuple[Decimal, Decimal]:
    """(what was paid, what is still due): a paid transfer counts what was paid, an
    unpaid one its scheduled amount (a late or missed transfer is still owed)."""
    paid_by = {p.number: p.amount for p in payments}
    paid = sum(paid_by.values(), Decimal(0))
    due = sum((t.amount for t in schedule if t.number not in paid_by), Decimal(0))
    return cents(paid), cents(due)


def check_payment(
    schedule: Sequence[ScheduledTransfer],
    payments: Iterable[Payment],
    raw: Mapping[str, object],
    *,
    recorded_by: str,
    today: dt.date,
    programme: Programme,
) -> Payment:
    """Validate a payment ``{number, paid_on, amount, method, reference}`` against the
    schedule. The amount may be less than scheduled (the rest is then not owed), never
    more; the date not in the future; the method one the programme uses.

    Raises ValidationFailed naming each bad field, or ConflictError when the transfer
    is already paid (a transfer is never paid twice)."""
    problems: list[Problem] = []
    numbers = [t.number for t in schedule]
    number = raw.get("number")
    transfer = next((t for t in schedule if t.number == number and not isinstance(number, bool)), None)
    if transfer is None:
        problems.append(Problem("number", f"{number!r} is not a transfer of this schedule", numbers, number))
    paid_on = raw.get("paid_on")
    if isinstance(paid_on, str):
        try:
            paid_on = dt.date.fromisoformat(paid_on)
        except ValueError:
            pass
    if not isinstance(paid_on, dt.date):
        problems.append(Problem("paid_on", "must be a date (YYYY-MM-DD)", ["YYYY-MM-DD"], raw.get("paid_on")))
    elif paid_on > today:
        problems.append(
            Problem("paid_on", "a payment cannot be recorded before it is made", [f"up to {today}"], paid_on)
        )
    amount = as_amount(raw.get("amount"), "amount", problems, positive=True)
    if amount is not None and transfer is not None and amount > transfer.amount:
        problems.append(
            Problem(
                "amount",
                f"{amount} is more than the {transfer.amount} {transfer.currency} scheduled",
                [f"at most {transfer.amount}"],
                str(amount),
            )
        )
    method = raw.get("method") or (transfer.method if transfer else programme.method)
    if method not in programme.methods:
        problems.append(Problem("method", f"{method!r} is not a method this programme uses", programme.methods, method))
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 128:
        problems.append(
            Problem(
                "reference",
                "the proof of payment (bank, mobile money or receipt reference) is required",
                ["1-128 characters"],
                reference,
            )
        )
    if problems:
        raise ValidationFailed(problems, "payment")
    assert transfer is not None and amount is not None
    if any(p.number == transfer.number for p in payments):
        raise ConflictError(f"transfer {transfer.number} is already paid: a transfer is never paid twice", "number")
    return Payment(
        number=transfer.number,
        paid_on=paid_on,  # type: ignore[arg-type]
        amount=amount,
        method=method,  # type: ignore[arg-type]
        reference=str(reference).strip(),
        recorded_by=recorded_by,
    )
