"""Erase one client's data on request, and remove cases whose time is up.

A client is known by a pseudonymous ``client_ref`` within one organisation (another
organisation's ``c-17`` is someone else). Everything held about them goes: their
assessments, option lists, choices, referrals with their histories, the stored
responses of idempotent requests that carried their data, and the link from their
feedback to them. What stays is anonymous: a feedback rating with no link and no
words (it still counts in a service's quality signal), and audit entries that say
what was done and when but no longer say to whom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from sqlalchemy import CursorResult, and_, delete, func, select, update
from sqlalchemy.orm import Session

from .tables import (
    ApiKey,
    AssessmentRow,
    AuditEntry,
    ChoiceRow,
    FeedbackRow,
    FollowUpRow,
    IdempotencyRecord,
    IntakeDraft,
    OptionListRow,
    ReferralEvent,
    ReferralRow,
    SpendingPlanRow,
    TransferPaymentRow,
    TransferRow,
)

__all__ = ["Removal", "erase_client", "remove_cases"]

_CHUNK = 500


@dataclass
class Removal:
    """What an erasure or a retention purge removed, per kind of record."""

    assessments: int = 0
    option_lists: int = 0
    choices: int = 0
    referrals: int = 0
    referral_events: int = 0
    feedback_unlinked: int = 0
    audit_entries_anonymised: int = 0
    idempotency_records: int = 0
    linked_records: int = 0  # rows of other tables that pointed at removed ones (e.g. feedback codes)
    intake_drafts: int = 0  # intakes typed in the pages (kept as drafts)
    casework_records: int = 0  # transfers, payments, spending plan versions, follow-ups (issue 12)
    ids: set[str] = field(default_factory=set, repr=False)

    @property
    def total(self) -> int:
        return (
            self.assessments
            + self.option_lists
            + self.choices
            + self.referrals
            + self.intake_drafts
            + self.casework_records
        )

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if k != "ids"}

    def add(self, other: Removal) -> None:
        for k, v in other.counts().items():
            setattr(self, k, getattr(self, k) + v)
        self.ids |= other.ids


def _rows(session: Session, statement: Any) -> int:
    """Run an UPDATE or DELETE; the number of rows it changed."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return int(result.rowcount)


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield list(items[i : i + _CHUNK])


def _ids(session: Session, q: Any, items: Sequence[str]) -> list[str]:
    """``q(chunk)`` for each chunk of ``items``: the ids it selects, all together."""
    out: list[str] = []
    for chunk in _chunks(items):
        out.extend(session.scalars(q(chunk)))
    return out


def erase_client(session: Session, organization_id: str, client_ref: str) -> Removal:
    """Erase everything held about ``client_ref`` of ``organization_id``, in the
    caller's write transaction. Returns what was removed (``total`` 0: nothing held)."""
    asm_ids = list(
        session.scalars(
            select(AssessmentRow.id).where(
                AssessmentRow.organization_id == organization_id, AssessmentRow.client_ref == client_ref
            )
        )
    )
    ol_ids = list(
        session.scalars(
            select(OptionListRow.id).where(
                OptionListRow.organization_id == organization_id, OptionListRow.client_ref == client_ref
            )
        )
    )
    # an option list always has its client's assessment; the other way round as well
    ol_ids = sorted(
        set(ol_ids)
        | set(_ids(session, lambda c: select(OptionListRow.id).where(OptionListRow.assessment_id.in_(c)), asm_ids))
    )
    asm_ids = sorted(
        set(asm_ids)
        | set(_ids(session, lambda c: select(OptionListRow.assessment_id).where(OptionListRow.id.in_(c)), ol_ids))
    )
    removal = _remove(session, asm_ids, ol_ids)
    draft_ids = list(
        session.scalars(
            select(IntakeDraft.id).where(
                IntakeDraft.organization_id == organization_id, IntakeDraft.client_ref == client_ref
            )
        )
    )
    removal.intake_drafts += _rows(session, delete(IntakeDraft).where(IntakeDraft.id.in_(draft_ids)))
    removal.ids |= set(draft_ids)
    removal.casework_records += _remove_casework(session, organization_id, client_ref)
    if removal.total:
        removal.audit_entries_anonymised += _anonymise_audit(
            session,
            removal.ids,
            and_(AuditEntry.client_ref == client_ref, AuditEntry.organization_id == organization_id),
        )
        removal.idempotency_records += _drop_idempotency(session, organization_id, removal.ids | {client_ref})
    return removal


def remove_cases(
    session: Session, organization_id: str, before: dt.datetime, *, finished: Collection[str], dry_run: bool = False
) -> Removal:
    """Retention: remove the option lists and assessments of ``organization_id``
    created before ``before``, with the choices and referrals made from them, and the
    cash-plus records (transfers, payments, plans, follow-ups) of a client none of whose
    assessments stay.

    A case with a referral whose status is not in ``finished`` (the referral statuses
    that end it: declined, completed, closed) is kept until it is: the client is still
    being helped. ``dry_run`` counts what would go and changes nothing.
    """
    old_lists = list(
        session.scalars(
            select(OptionListRow.id).where(
                OptionListRow.organization_id == organization_id, OptionListRow.created_at < before
            )
        )
    )
    open_lists = set(
        _ids(
            session,
            lambda c: select(ReferralRow.option_list_id).where(
                ReferralRow.option_list_id.in_(c), ReferralRow.status.not_in(sorted(finished))
            ),
            old_lists,
        )
    )
    ol_ids = sorted(set(old_lists) - open_lists)
    kept_asm = set(
        _ids(session, lambda c: select(OptionListRow.assessment_id).where(OptionListRow.id.in_(c)), sorted(open_lists))
    )
    asm_of_lists = set(
        _ids(session, lambda c: select(OptionListRow.assessment_id).where(OptionListRow.id.in_(c)), ol_ids)
    )
    old_asm = set(
        session.scalars(
            select(AssessmentRow.id).where(
                AssessmentRow.organization_id == organization_id, AssessmentRow.created_at < before
            )
        )
    )
    # an assessment goes with its lists; one still behind a kept list stays
    asm_ids = sorted((asm_of_lists | old_asm) - kept_asm)
    newer_lists = set(
        _ids(session, lambda c: select(OptionListRow.id).where(OptionListRow.assessment_id.in_(c)), asm_ids)
    ) - set(ol_ids)
    if newer_lists:  # a list made later from an old assessment keeps the assessment
        keep = set(
            _ids(
                session,
                lambda c: select(OptionListRow.assessment_id).where(OptionListRow.id.in_(c)),
                sorted(newer_lists),
            )
        )
        asm_ids = [a for a in asm_ids if a not in keep]
    # a client none of whose assessments stay: their cash-plus records go too
    gone = set(asm_ids)
    leaving = []
    for ref in sorted(
        set(_ids(session, lambda c: select(AssessmentRow.client_ref).where(AssessmentRow.id.in_(c)), asm_ids))
    ):
        held = session.scalars(
            select(AssessmentRow.id).where(
                AssessmentRow.organization_id == organization_id, AssessmentRow.client_ref == ref
            )
        )
        if all(a in gone for a in held):
            leaving.append(ref)
    removal = _remove(session, asm_ids, ol_ids, dry_run=dry_run)
    old_drafts = select(IntakeDraft.id).where(
        IntakeDraft.organization_id == organization_id, IntakeDraft.updated_at < before
    )
    if dry_run:
        removal.intake_drafts = session.scalar(select(func.count()).select_from(old_drafts.subquery())) or 0
    else:
        draft_ids = list(session.scalars(old_drafts))
        removal.intake_drafts = _rows(session, delete(IntakeDraft).where(IntakeDraft.id.in_(draft_ids)))
        removal.ids |= set(draft_ids)
    for ref in leaving:
        removal.casework_records += _remove_casework(session, organization_id, ref, dry_run=dry_run)
    if removal.total and not dry_run:
        removal.idempotency_records += _drop_idempotency(session, organization_id, removal.ids)
    return removal


def _remove(session: Session, asm_ids: list[str], ol_ids: list[str], *, dry_run: bool = False) -> Removal:
    removal = Removal()
    choice_ids = _ids(session, lambda c: select(ChoiceRow.id).where(ChoiceRow.option_list_id.in_(c)), ol_ids)
    ref_ids = _ids(session, lambda c: select(ReferralRow.id).where(ReferralRow.option_list_id.in_(c)), ol_ids)
    removal.ids = set(asm_ids) | set(ol_ids) | set(choice_ids) | set(ref_ids)
    if dry_run:
        for chunk in _chunks(ref_ids):
            removal.feedback_unlinked += (
                session.scalar(select(func.count()).select_from(FeedbackRow).where(FeedbackRow.referral_id.in_(chunk)))
                or 0
            )
            removal.referral_events += (
                session.scalar(
                    select(func.count()).select_from(ReferralEvent).where(ReferralEvent.referral_id.in_(chunk))
                )
                or 0
            )
        removal.referrals, removal.choices = len(ref_ids), len(choice_ids)
        removal.option_lists, removal.assessments = len(ol_ids), len(asm_ids)
        return removal
    for chunk in _chunks(ref_ids):
        removal.feedback_unlinked += _rows(
            session, update(FeedbackRow).where(FeedbackRow.referral_id.in_(chunk)).values(referral_id=None, text=None)
        )
        removal.referral_events += _rows(session, delete(ReferralEvent).where(ReferralEvent.referral_id.in_(chunk)))
        removal.linked_records += _drop_linked(session, ReferralRow.__table__, chunk)
        removal.referrals += _rows(session, delete(ReferralRow).where(ReferralRow.id.in_(chunk)))
    for chunk in _chunks(choice_ids):
        removal.linked_records += _drop_linked(session, ChoiceRow.__table__, chunk)
        removal.choices += _rows(session, delete(ChoiceRow).where(ChoiceRow.id.in_(chunk)))
    for chunk in _chunks(ol_ids):
        removal.linked_records += _drop_linked(session, OptionListRow.__table__, chunk)
        removal.option_lists += _rows(session, delete(OptionListRow).where(OptionListRow.id.in_(chunk)))
    for chunk in _chunks(asm_ids):
        removal.linked_records += _drop_linked(session, AssessmentRow.__table__, chunk)
        removal.assessments += _rows(session, delete(AssessmentRow).where(AssessmentRow.id.in_(chunk)))
    return removal


def _remove_casework(session: Session, organization_id: str, client_ref: str, *, dry_run: bool = False) -> int:
    """The client's transfers with their payments, spending plan versions and follow-ups
    (``dry_run``: how many there are)."""
    of_client = (TransferRow.organization_id == organization_id, TransferRow.client_ref == client_ref)
    transfer_ids = list(session.scalars(select(TransferRow.id).where(*of_client)))
    if dry_run:
        count = len(transfer_ids)
        for chunk in _chunks(transfer_ids):
            count += (
                session.scalar(
                    select(func.count())
                    .select_from(TransferPaymentRow)
                    .where(TransferPaymentRow.transfer_id.in_(chunk))
                )
                or 0
            )
        for table in (SpendingPlanRow, FollowUpRow):
            count += (
                session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(table.organization_id == organization_id, table.client_ref == client_ref)
                )
                or 0
            )
        return count
    gone = 0
    for chunk in _chunks(transfer_ids):
        gone += _rows(session, delete(TransferPaymentRow).where(TransferPaymentRow.transfer_id.in_(chunk)))
    gone += _rows(session, delete(TransferRow).where(*of_client))
    for table in (SpendingPlanRow, FollowUpRow):
        gone += _rows(
            session, delete(table).where(table.organization_id == organization_id, table.client_ref == client_ref)
        )
    return gone


def _drop_linked(session: Session, target: Any, ids: list[str]) -> int:
    """Delete the rows of any table whose foreign key points at ``ids`` of ``target``
    (tables added later, such as a referral's feedback code, go with what they belong to)."""
    gone = 0
    for table in target.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is target and table is not target:
                gone += _rows(session, delete(table).where(fk.parent.in_(ids)))
    return gone


def _anonymise_audit(session: Session, ids: set[str], also: Any) -> int:
    """Audit entries about the erased records keep what was done and when, not to whom."""
    changed = 0
    values = {"client_ref": None, "resource_id": None, "detail": {"erased": True}}
    changed += _rows(session, update(AuditEntry).where(also).values(**values))
    for chunk in _chunks(sorted(ids)):
        changed += _rows(session, update(AuditEntry).where(AuditEntry.resource_id.in_(chunk)).values(**values))
    return changed


def _drop_idempotency(session: Session, organization_id: str, needles: set[str]) -> int:
    """Stored responses of the organisation's idempotent requests that name any of
    ``needles`` (record ids, the client_ref) as a whole JSON string."""
    keys = list(session.scalars(select(ApiKey.id).where(ApiKey.organization_id == organization_id)))
    quoted = [orjson.dumps(n) for n in needles]
    gone = 0
    for chunk in _chunks(keys):
        for rec in session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key_id.in_(chunk))):
            body = orjson.dumps(rec.body)
            if any(q in body for q in quoted):
                session.delete(rec)
                gone += 1
    session.flush()
    return gone
