"""Cash-plus casework on the database (issue 12): the functions the HTTP routes, the
command line and the workspace pages call. Each takes a session and the caller, does
its reads and writes (writes in one transaction) and writes the audit log.

Money is exact (``Decimal``; ``Numeric(18, 2)`` columns); a transfer is paid at most
once (checked under the write lock, and by a unique key on the payments).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freechoice.catalog import NEED_IDS, ChoiceError, ConflictError, Problem, ValidationFailed
from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import (
    AssessmentRow,
    ChoiceRow,
    FollowUpRow,
    OptionListRow,
    ReferralRow,
    SpendingPlanRow,
    TransferPaymentRow,
    TransferRow,
)
from freechoice.engine import Choice, OptionList
from freechoice.engine.casework import (
    CaseRecord,
    CaseReferral,
    FollowUp,
    Payment,
    PlanLine,
    Programme,
    ScheduledTransfer,
    check_payment,
    check_plan,
    follow_ups_due,
    journey,
    make_schedule,
    paid_and_due,
    plan_total,
    transfer_states,
)

from .auth import Principal
from .deps import own_record
from .problems import ProblemError
from .records import audit, audited_read
from .times import rfc3339

__all__ = [
    "add_follow_up",
    "case_records",
    "cash_schedule",
    "choice_cash_plan",
    "client_follow_ups",
    "client_journey",
    "client_transfers",
    "create_schedule",
    "donor_export",
    "due_follow_ups",
    "plan_history",
    "plan_schedule",
    "programme_measures",
    "record_payment",
    "save_plan",
    "schedule_for_choice",
    "schedule_rows",
    "transfers_board",
]


def _not_found(what: str) -> ProblemError:
    return ProblemError(404, f"no {what} for this client")


def _schedule(rows: Iterable[TransferRow]) -> list[ScheduledTransfer]:
    return [
        ScheduledTransfer(number=r.number, due_on=r.due_on, amount=r.amount, currency=r.currency, method=r.method)  # type: ignore[arg-type]
        for r in sorted(rows, key=lambda r: r.number)
    ]


def _payment(p: TransferPaymentRow, number: int) -> Payment:
    return Payment(
        number=number,
        paid_on=p.paid_on,
        amount=p.amount,
        method=p.method,  # type: ignore[arg-type]
        reference=p.reference,
        recorded_by=p.recorded_by,
    )


def schedule_rows(
    session: Session, org: str, client_ref: str, *, lock: bool = False
) -> tuple[list[TransferRow], dict[str, TransferPaymentRow]]:
    """A client's transfer rows (by number) and their payments by transfer id."""
    q = select(TransferRow).where(TransferRow.organization_id == org, TransferRow.client_ref == client_ref)
    if lock:
        q = q.with_for_update()
    rows = list(session.scalars(q.order_by(TransferRow.number)))
    pays = {}
    if rows:
        pays = {
            p.transfer_id: p
            for p in session.scalars(
                select(TransferPaymentRow).where(TransferPaymentRow.transfer_id.in_([r.id for r in rows]))
            )
        }
    return rows, pays


def _payments(rows: Sequence[TransferRow], pays: Mapping[str, TransferPaymentRow]) -> list[Payment]:
    return [_payment(pays[r.id], r.number) for r in rows if r.id in pays]


def _cash_choice(session: Session, org: str, client_ref: str, choice_id: str | None) -> tuple[ChoiceRow, OptionListRow]:
    q = (
        select(ChoiceRow, OptionListRow)
        .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id)
        .where(ChoiceRow.organization_id == org, OptionListRow.client_ref == client_ref)
        .order_by(ChoiceRow.created_at.desc())
    )
    if choice_id is not None:
        q = q.where(ChoiceRow.id == choice_id)
    found = session.execute(q).all()
    for choice, ol in found:
        if choice.data.get("cash_chosen"):
            return choice, ol
    if not found:
        raise ProblemError(404, "no choice recorded for this client" + (f" with id {choice_id}" if choice_id else ""))
    raise ProblemError(
        422,
        "the client has not chosen the cash option" + (f" in choice {choice_id}" if choice_id else ""),
        errors=[{"field": "choice_id", "message": "must be a choice of this client with the cash option chosen"}],
    )


def _insert_schedule(
    session: Session, who: Principal, client_ref: str, choice_id: str | None, schedule: Sequence[ScheduledTransfer]
) -> list[TransferRow]:
    rows = [
        TransferRow(
            id="tr-" + uuid.uuid4().hex,
            organization_id=who.organization_id,
            client_ref=client_ref,
            choice_id=choice_id,
            number=t.number,
            due_on=t.due_on,
            amount=t.amount,
            currency=t.currency,
            method=t.method,
            created_by=who.key_id,
        )
        for t in schedule
    ]
    session.add_all(rows)
    session.flush()
    audit(session, who, "create", "transfer_schedule", choice_id, client_ref, transfers=len(rows))
    return rows


def plan_schedule(
    session: Session, org: str, client_ref: str, programme: Programme, body: Mapping[str, Any], *, today: dt.date
) -> tuple[ChoiceRow, list[ScheduledTransfer]]:
    """Validate a schedule request (no writes): the client's cash choice and the
    transfers it gives (``start_on``, ``transfers``, ``amount``, ``currency``, ``method``
    override the programme's)."""
    choice, ol = _cash_choice(session, org, client_ref, body.get("choice_id"))
    start = body.get("start_on") or (choice.created_at.date() if choice.created_at else today)
    return choice, cash_schedule(ol.data.get("cash") or {}, programme, start, body)


def cash_schedule(
    cash: Mapping[str, Any], programme: Programme, start: dt.date, overrides: Mapping[str, Any] | None = None
) -> list[ScheduledTransfer]:
    """The transfers for the cash option ``cash`` of an option list (as offered): the
    programme's amount for the country, else the amount the list offered; overrides
    (``transfers``, ``amount``, ``currency``, ``method``) win. ValidationFailed when no
    amount is known."""
    body = overrides or {}
    country = str(cash.get("country") or "")
    amount = body.get("amount")
    currency = body.get("currency")
    if amount is None and country not in programme.amounts and cash.get("amount_per_transfer"):
        # the list offered an amount the programme table lacks: keep what was offered
        amount = str(Decimal(str(cash["amount_per_transfer"])).quantize(Decimal("0.01")))
        currency = currency or cash.get("currency")
    return make_schedule(
        country,
        start,
        programme,
        transfers=body.get("transfers"),
        amount=amount,
        currency=currency,
        method=body.get("method"),
    )


def create_schedule(
    session: Session,
    who: Principal,
    client_ref: str,
    programme: Programme,
    body: Mapping[str, Any],
    *,
    today: dt.date,
) -> list[dict[str, Any]]:
    """Make the client's transfer schedule (the caller's write transaction). 409 when
    the client has one already; 422 without a cash choice or with bad settings."""
    choice, schedule = plan_schedule(session, who.organization_id, client_ref, programme, body, today=today)
    existing, _ = schedule_rows(session, who.organization_id, client_ref, lock=True)
    if existing:
        raise ConflictError(f"client {client_ref} has a transfer schedule already", "client_ref")
    rows = _insert_schedule(session, who, client_ref, choice.id, schedule)
    return _states_json(rows, {}, today, programme)


def choice_cash_plan(
    ol: OptionList, choice: Choice, programme: Programme, today: dt.date
) -> tuple[list[ScheduledTransfer], list[dict[str, Any]]]:
    """With cash chosen: the transfer schedule the choice makes (starting ``today``;
    none when no amount is known for where the client is paid: make it later with
    ``POST /clients/{ref}/transfers``), and the choice's spending plan in exact money,
    checked against the schedule (ChoiceError naming ``spending_plan`` when over)."""
    if not choice.cash_chosen:
        return [], []
    try:
        schedule = cash_schedule(ol.cash.model_dump(), programme, today)
    except ValidationFailed:
        return [], []
    plan = [
        {"need": line.need, "amount": str(Decimal(str(line.amount)).quantize(Decimal("0.01")))}
        | ({"note": line.note} if line.note is not None else {})
        for line in choice.spending_plan
    ]
    if plan:
        total = sum((t.amount for t in schedule), Decimal(0))
        try:
            check_plan(plan, list(ol.cash.plan_needs), total, schedule[0].currency, field="spending_plan")
        except ValidationFailed as err:
            raise ChoiceError(f"invalid spending plan over option list {ol.id}", err.problems) from None
    return schedule, plan


def schedule_for_choice(
    session: Session, who: Principal, client_ref: str, choice_id: str, schedule: Sequence[ScheduledTransfer]
) -> None:
    """The schedule made when a client chooses cash (inside the choice's transaction);
    nothing when the client has one already."""
    existing, _ = schedule_rows(session, who.organization_id, client_ref, lock=True)
    if not existing:
        _insert_schedule(session, who, client_ref, choice_id, schedule)


def _transfer_json(
    row: TransferRow, pay: TransferPaymentRow | None, status: str | None, overdue: int = 0
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "client_ref": row.client_ref,
        "number": row.number,
        "due_on": row.due_on.isoformat(),
        "amount": str(row.amount),
        "currency": row.currency,
        "method": row.method,
        "payment": None
        if pay is None
        else {
            "id": pay.id,
            "paid_on": pay.paid_on.isoformat(),
            "amount": str(pay.amount),
            "method": pay.method,
            "reference": pay.reference,
            "recorded_by": pay.recorded_by,
        },
    }
    if status is not None:
        out["status"] = status
        out["days_overdue"] = overdue
    return out


def _states_json(
    rows: Sequence[TransferRow], pays: Mapping[str, TransferPaymentRow], today: dt.date, programme: Programme
) -> list[dict[str, Any]]:
    states = transfer_states(_schedule(rows), _payments(rows, pays), today, programme)
    return [_transfer_json(r, pays.get(r.id), s.status, s.days_overdue) for r, s in zip(rows, states, strict=True)]


def client_transfers(
    session: Session, who: Principal, client_ref: str, programme: Programme, *, today: dt.date
) -> dict[str, Any]:
    """A client's transfers with their status on ``today``, and what was paid and is due."""
    rows, pays = schedule_rows(session, who.organization_id, client_ref)
    if not rows:
        raise _not_found("transfer schedule")
    paid, due = paid_and_due(_schedule(rows), _payments(rows, pays))
    body = {
        "client_ref": client_ref,
        "as_of": today.isoformat(),
        "currency": rows[0].currency,
        "paid": str(paid),
        "due": str(due),
        "transfers": _states_json(rows, pays, today, programme),
    }
    audited_read(session, who, "transfer", None, client_ref)
    return body


def record_payment(
    session: Session,
    who: Principal,
    transfer_id: str,
    raw: Mapping[str, Any],
    programme: Programme,
    *,
    today: dt.date,
) -> dict[str, Any]:
    """Record a payment of one transfer (its own write transaction): 404 for another
    organisation's transfer, 422 naming each bad field, 409 when already paid."""
    with write_transaction(session):
        row = own_record(session, TransferRow, transfer_id, who, "transfer", lock=True)
        rows, pays = schedule_rows(session, who.organization_id, row.client_ref)
        payment = check_payment(
            [t for t in _schedule(rows) if t.number == row.number],
            _payments(rows, pays),
            {**raw, "number": row.number},
            recorded_by=who.key_id,
            today=today,
            programme=programme,
        )
        pay = TransferPaymentRow(
            id="pay-" + uuid.uuid4().hex,
            transfer_id=row.id,
            organization_id=who.organization_id,
            paid_on=payment.paid_on,
            amount=payment.amount,
            method=payment.method,
            reference=payment.reference,
            recorded_by=payment.recorded_by,
        )
        session.add(pay)
        session.flush()
        audit(session, who, "create", "payment", pay.id, row.client_ref, transfer=row.id, number=row.number)
        return _transfer_json(row, pay, "paid")


def transfers_board(
    session: Session,
    who: Principal,
    programme: Programme,
    *,
    today: dt.date,
    statuses: Sequence[str] = (),
    limit: int = 500,
) -> dict[str, Any]:
    """The organisation's transfers due up to ``today`` with their status (the
    caseworker's board), oldest first; ``statuses`` keeps only those."""
    rows = list(
        session.scalars(
            select(TransferRow)
            .where(TransferRow.organization_id == who.organization_id, TransferRow.due_on <= today)
            .order_by(TransferRow.due_on, TransferRow.client_ref, TransferRow.number)
        )
    )
    pays = {
        p.transfer_id: p
        for p in session.scalars(
            select(TransferPaymentRow).where(TransferPaymentRow.organization_id == who.organization_id)
        )
    }
    out = []
    by_client: dict[str, list[TransferRow]] = defaultdict(list)
    for r in rows:
        by_client[r.client_ref].append(r)
    for ref in sorted(by_client):
        out.extend(_states_json(by_client[ref], pays, today, programme))
    out = [t for t in out if not statuses or t["status"] in statuses]
    out.sort(key=lambda t: (t["due_on"], t["client_ref"], t["number"]))
    out = out[:limit]
    audited_read(session, who, "transfer", None, None, listed=len(out))
    return {"as_of": today.isoformat(), "items": out}


# --- spending plans ---------------------------------------------------------------


def _ranked_needs(session: Session, org: str, client_ref: str) -> list[str]:
    """The client's ranked needs, highest first: the latest ranking (a re-ranking at a
    follow-up, else the first assessment)."""
    row = session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.organization_id == org, AssessmentRow.client_ref == client_ref)
        .order_by(AssessmentRow.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return []
    needs: dict[str, int] = row.data.get("needs") or {}
    return sorted(needs, key=lambda n: (-needs[n], NEED_IDS.index(n) if n in NEED_IDS else 99))


def _plan_json(row: SpendingPlanRow) -> dict[str, Any]:
    return {
        "client_ref": row.client_ref,
        "version": row.version,
        "lines": row.data.get("lines", []),
        "language": row.data.get("language"),
        "total": str(row.total),
        "currency": row.currency,
        "created_at": rfc3339(row.created_at),
        "created_by": row.created_by,
    }


def save_plan(session: Session, who: Principal, client_ref: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """A new version of the client's plan (the caller's write transaction; earlier
    versions stay). The limit is what was paid plus what is still due."""
    rows, pays = schedule_rows(session, who.organization_id, client_ref, lock=True)
    if not rows:
        raise ProblemError(404, "no transfer schedule for this client: a spending plan goes with the cash option")
    paid, due = paid_and_due(_schedule(rows), _payments(rows, pays))
    currency = rows[0].currency
    language = raw.get("language")
    if language is not None and (not isinstance(language, str) or not 2 <= len(language) <= 16):
        raise ValidationFailed(
            [Problem("language", "a language code (e.g. my, km, th)", ["e.g. my"], language)], "spending plan"
        )
    lines = check_plan(raw.get("lines"), _ranked_needs(session, who.organization_id, client_ref), paid + due, currency)
    version = (
        session.scalar(
            select(func.max(SpendingPlanRow.version)).where(
                SpendingPlanRow.organization_id == who.organization_id, SpendingPlanRow.client_ref == client_ref
            )
        )
        or 0
    ) + 1
    row = SpendingPlanRow(
        id="sp-" + uuid.uuid4().hex,
        organization_id=who.organization_id,
        client_ref=client_ref,
        version=version,
        currency=currency,
        total=plan_total(lines),
        data={"lines": [line.model_dump(mode="json") for line in lines], "language": language},
        created_by=who.key_id,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    audit(session, who, "create", "spending_plan", row.id, client_ref, version=version)
    return {**_plan_json(row), "limit": str(paid + due)}


def plan_history(session: Session, who: Principal, client_ref: str, *, latest: bool = False) -> dict[str, Any]:
    """Every version of the client's plan, oldest first (or the latest only)."""
    q = select(SpendingPlanRow).where(
        SpendingPlanRow.organization_id == who.organization_id, SpendingPlanRow.client_ref == client_ref
    )
    rows = list(session.scalars(q.order_by(SpendingPlanRow.version)))
    if not rows:
        raise _not_found("spending plan")
    if latest:
        rows = rows[-1:]
    out = [_plan_json(r) for r in rows]
    audited_read(session, who, "spending_plan", None, client_ref, versions=len(out))
    return {"client_ref": client_ref, "versions": out}


# --- follow-ups -------------------------------------------------------------------


def _first_assessment(session: Session, org: str, client_ref: str) -> AssessmentRow | None:
    return session.scalars(
        select(AssessmentRow)
        .where(
            AssessmentRow.organization_id == org,
            AssessmentRow.client_ref == client_ref,
            AssessmentRow.follows_id.is_(None),
        )
        .order_by(AssessmentRow.created_at)
        .limit(1)
    ).first()


def _follow_up_json(row: FollowUpRow) -> dict[str, Any]:
    return {"id": row.id, "client_ref": row.client_ref, "assessment_id": row.assessment_id, **row.data}


def add_follow_up(session: Session, who: Principal, client_ref: str, follow_up: FollowUp) -> dict[str, Any]:
    """Record a follow-up (the caller's write transaction). A re-ranking becomes a new
    assessment linked to the client's first one (same situation, the new needs)."""
    first = _first_assessment(session, who.organization_id, client_ref)
    if first is None:
        raise _not_found("assessment")
    asm_id = None
    if follow_up.needs is not None:
        asm_id = "as-" + uuid.uuid4().hex
        session.add(
            AssessmentRow(
                id=asm_id,
                organization_id=who.organization_id,
                client_ref=client_ref,
                data={**first.data, "needs": dict(follow_up.needs)},
                created_by=who.key_id,
                created_at=dt.datetime.now(dt.UTC),
                follows_id=first.id,
            )
        )
    row = FollowUpRow(
        id="fu-" + uuid.uuid4().hex,
        organization_id=who.organization_id,
        client_ref=client_ref,
        held_on=follow_up.on,
        assessment_id=asm_id,
        data=follow_up.model_dump(mode="json"),
        created_by=who.key_id,
    )
    session.add(row)
    session.flush()
    audit(session, who, "create", "follow_up", row.id, client_ref, reranked=asm_id is not None)
    return _follow_up_json(row)


def _follow_ups(session: Session, org: str, client_ref: str) -> list[FollowUpRow]:
    return list(
        session.scalars(
            select(FollowUpRow)
            .where(FollowUpRow.organization_id == org, FollowUpRow.client_ref == client_ref)
            .order_by(FollowUpRow.held_on, FollowUpRow.created_at)
        )
    )


def client_follow_ups(session: Session, who: Principal, client_ref: str) -> dict[str, Any]:
    """The client's follow-ups, oldest first (404 for a client the organisation holds nothing about)."""
    if _first_assessment(session, who.organization_id, client_ref) is None:
        raise _not_found("assessment")
    out = [_follow_up_json(r) for r in _follow_ups(session, who.organization_id, client_ref)]
    audited_read(session, who, "follow_up", None, client_ref, listed=len(out))
    return {"client_ref": client_ref, "items": out}


def _started_on(session: Session, org: str, client_ref: str) -> dt.date | None:
    first = session.scalar(
        select(func.min(ChoiceRow.created_at))
        .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id)
        .where(ChoiceRow.organization_id == org, OptionListRow.client_ref == client_ref)
    )
    return first.date() if first is not None else None


def client_journey(
    session: Session, who: Principal, client_ref: str, programme: Programme, *, today: dt.date
) -> dict[str, Any]:
    """How the client's priorities and outcomes changed: the first assessment, then
    each follow-up (see :func:`freechoice.engine.casework.journey`), with the
    programme's follow-ups and whether each was held."""
    first = _first_assessment(session, who.organization_id, client_ref)
    if first is None:
        raise _not_found("assessment")
    started = _started_on(session, who.organization_id, client_ref) or first.created_at.date()
    rows = _follow_ups(session, who.organization_id, client_ref)
    fus = [FollowUp.model_validate(r.data) for r in rows]
    steps = journey(first.data.get("needs") or {}, started, fus)
    due = follow_ups_due(started, [f.on for f in fus], today, programme)
    audited_read(session, who, "journey", None, client_ref)
    return {
        "client_ref": client_ref,
        "started_on": started.isoformat(),
        "first_assessment_id": first.id,
        "steps": [s.model_dump(mode="json") for s in steps],
        "follow_ups_planned": [d.model_dump(mode="json") for d in due],
    }


def due_follow_ups(
    session: Session, who: Principal, programme: Programme, *, today: dt.date, include_upcoming: bool = False
) -> dict[str, Any]:
    """The organisation's follow-ups due or overdue on ``today`` (clients with a cash
    schedule or a choice), oldest first."""
    starts = session.execute(
        select(OptionListRow.client_ref, func.min(ChoiceRow.created_at))
        .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id)
        .where(ChoiceRow.organization_id == who.organization_id, ChoiceRow.decision == "chosen")
        .group_by(OptionListRow.client_ref)
    ).all()
    held: dict[str, list[dt.date]] = defaultdict(list)
    left: set[str] = set()
    for ref, on, data in session.execute(
        select(FollowUpRow.client_ref, FollowUpRow.held_on, FollowUpRow.data).where(
            FollowUpRow.organization_id == who.organization_id
        )
    ):
        held[ref].append(on)
        if data.get("dropped_out"):
            left.add(ref)
    out = []
    for ref, first in starts:
        if ref in left or first is None:
            continue
        for d in follow_ups_due(first.date(), held.get(ref, []), today, programme):
            if d.status in ("due", "overdue") or (include_upcoming and d.status == "upcoming"):
                out.append({"client_ref": ref, **d.model_dump(mode="json")})
    out.sort(key=lambda d: (d["due_on"], d["client_ref"]))
    audited_read(session, who, "follow_up", None, None, due_listed=len(out))
    return {"as_of": today.isoformat(), "items": out}


# --- the records measures and reports read ---------------------------------------


def case_records(
    session: Session, org: str, *, started_from: dt.date | None = None, started_to: dt.date | None = None
) -> list[CaseRecord]:
    """One :class:`CaseRecord` per client of ``org`` whose case started (first option
    list) in the period. Reads client data: the caller audits."""
    lists = session.execute(
        select(OptionListRow.id, OptionListRow.client_ref, OptionListRow.created_at, OptionListRow.data).where(
            OptionListRow.organization_id == org
        )
    ).all()
    first_list: dict[str, dt.datetime] = {}
    offered: dict[str, int] = defaultdict(int)
    list_client: dict[str, str] = {}
    for lid, ref, created, data in lists:
        list_client[lid] = ref
        first_list[ref] = min(first_list.get(ref, created), created)
        offered[ref] += sum(len(n.get("options") or []) for n in data.get("needs") or []) + (
            1 if data.get("cash") else 0
        )
    wanted = {
        ref
        for ref, t in first_list.items()
        if (started_from is None or t.date() >= started_from) and (started_to is None or t.date() <= started_to)
    }
    decisions: dict[str, list[str]] = defaultdict(list)
    chosen: dict[str, int] = defaultdict(int)
    cash: set[str] = set()
    first_choice: dict[str, dt.datetime] = {}
    choice_client: dict[str, str] = {}
    for cid, lid, decision, created, data in session.execute(
        select(ChoiceRow.id, ChoiceRow.option_list_id, ChoiceRow.decision, ChoiceRow.created_at, ChoiceRow.data).where(
            ChoiceRow.organization_id == org
        )
    ):
        ref = list_client.get(lid)
        if ref not in wanted:
            continue
        choice_client[cid] = ref
        decisions[ref].append(decision)
        chosen[ref] += len(data.get("option_ids") or [])
        if data.get("cash_chosen"):
            cash.add(ref)
        first_choice[ref] = min(first_choice.get(ref, created), created)
    referrals: dict[str, list[CaseReferral]] = defaultdict(list)
    for choice_id, need, provider, created in session.execute(
        select(ReferralRow.choice_id, ReferralRow.need, ReferralRow.provider_id, ReferralRow.created_at).where(
            ReferralRow.organization_id == org
        )
    ):
        ref = choice_client.get(choice_id)
        if ref is not None:
            at = created if created.tzinfo else created.replace(tzinfo=dt.UTC)  # SQLite keeps no offset
            referrals[ref].append(CaseReferral(need=need, provider_id=provider, created_at=at))
    firsts: dict[str, tuple[dt.datetime, dict[str, int]]] = {}
    for ref, created, data in session.execute(
        select(AssessmentRow.client_ref, AssessmentRow.created_at, AssessmentRow.data).where(
            AssessmentRow.organization_id == org, AssessmentRow.follows_id.is_(None)
        )
    ):
        if ref in wanted and (ref not in firsts or created < firsts[ref][0]):
            firsts[ref] = (created, data.get("needs") or {})
    transfers: dict[str, list[TransferRow]] = defaultdict(list)
    for t in session.scalars(select(TransferRow).where(TransferRow.organization_id == org)):
        if t.client_ref in wanted:
            transfers[t.client_ref].append(t)
    pays = {
        p.transfer_id: p
        for p in session.scalars(select(TransferPaymentRow).where(TransferPaymentRow.organization_id == org))
    }
    plans: dict[str, SpendingPlanRow] = {}
    for p in session.scalars(select(SpendingPlanRow).where(SpendingPlanRow.organization_id == org)):
        if p.client_ref in wanted and (p.client_ref not in plans or p.version > plans[p.client_ref].version):
            plans[p.client_ref] = p
    fus: dict[str, list[FollowUp]] = defaultdict(list)
    for f in session.scalars(select(FollowUpRow).where(FollowUpRow.organization_id == org)):
        if f.client_ref in wanted:
            fus[f.client_ref].append(FollowUp.model_validate(f.data))
    out = []
    for ref in sorted(wanted):
        rows = sorted(transfers.get(ref, []), key=lambda t: t.number)
        started = first_choice.get(ref, first_list[ref])
        out.append(
            CaseRecord(
                client_ref=ref,
                started_on=started.date(),
                first_needs=firsts.get(ref, (started, {}))[1],
                decisions=decisions.get(ref, []),
                options_offered=offered.get(ref, 0),
                options_chosen=chosen.get(ref, 0),
                cash_chosen=ref in cash,
                referrals=sorted(referrals.get(ref, []), key=lambda r: r.created_at),
                transfers=_schedule(rows),
                payments=_payments(rows, pays),
                plan=[PlanLine.model_validate(line) for line in plans[ref].data.get("lines", [])]
                if ref in plans
                else [],
                follow_ups=sorted(fus.get(ref, []), key=lambda f: f.on),
            )
        )
    return out


def donor_export(
    session: Session,
    who: Principal,
    org: str,
    period_from: dt.date,
    period_to: dt.date,
    programme: Programme,
    *,
    fmt: str,
    today: dt.date,
) -> str:
    """The anonymised donor report of ``org`` for the period, as CSV or one HTML page;
    the export is audited (who, which organisation, which period, how many rows)."""
    from freechoice.engine.casework import donor_report, report_csv, report_html

    if fmt not in ("csv", "html"):
        raise ValidationFailed([Problem("format", f"unknown format {fmt!r}", ["csv", "html"], fmt)], "donor report")
    if period_to < period_from:
        raise ValidationFailed(
            [Problem("to", "the period ends before it starts", [f"{period_from} or later"], str(period_to))],
            "donor report",
        )
    report = donor_report(
        case_records(session, org), period_from, period_to, organization=org, programme=programme, today=today
    )
    with write_transaction(session):
        audit(
            session,
            who,
            "export",
            "donor_report",
            None,
            None,
            organization=org,
            period_from=period_from.isoformat(),
            period_to=period_to.isoformat(),
            format=fmt,
            cases=report.cases,
            transfers=len(report.transfers),
            plan_lines=len(report.plans),
            notes=len(report.notes),
        )
    return report_csv(report) if fmt == "csv" else report_html(report)


def programme_measures(
    session: Session, org: str, programme: Programme, *, since: dt.date | None, until: dt.date | None, min_group: int
) -> dict[str, Any]:
    """The empowerment measures of ``org`` over cases started in the period (reads
    client data: the caller audits)."""
    from freechoice.engine.casework import compute_measures

    cases = case_records(session, org, started_from=since, started_to=until)
    measures = compute_measures(cases, min_group=max(min_group, programme.min_group))
    return {name: m.model_dump(mode="json") for name, m in measures.items()}
