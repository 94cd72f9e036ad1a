"""Making and storing option lists and choices: one code path for the API routes and the
pages, so a page holds no logic the API lacks.

Each step is in two halves: the computation (no database writes; it raises on bad
input before anything is written) and ``write(db, who)``, which the caller runs inside
its one write transaction (the API through ``create_once``, the pages through
``Database.writing()``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from freechoice.catalog import ChoiceError, Problem
from freechoice.catalog.db import RawJSON
from freechoice.catalog.db.tables import (
    AssessmentRow,
    ChoiceRow,
    OptionListRow,
    OrganizationRow,
    ReferralRow,
    ServiceRow,
)
from freechoice.engine import Assessment, Choice, OptionList, ReferralDraft, choose, propose, shared_view
from freechoice.engine.casework import Programme, ScheduledTransfer
from freechoice.engine.kpis import list_summary
from freechoice.engine.pages import with_paged_options

from .auth import Principal
from .casework import choice_cash_plan, save_plan, schedule_for_choice
from .records import audit
from .state import AppState
from .webhooks.outbox import record_referral_event

__all__ = ["NewChoice", "NewOptionList", "check_still_offered", "new_choice", "new_option_list"]


def check_still_offered(db: Session, drafts: list[ReferralDraft], *, lock: bool = False) -> None:
    """Raise ``ChoiceError`` (one problem per chosen service, field ``option_ids``) when a
    chosen service is no longer offered: its organisation is deactivated, the service is
    deactivated, or it is gone (``Problem.value``: ``option_id``, ``service``, ``provider``
    and ``why``: ``organization_inactive``, ``service_inactive`` or ``service_gone``,
    which the choice page words). The option list stays as it was offered; only a new
    referral to a partner who is gone is refused. Read from the database, so it holds
    in every worker at once. ``lock`` (inside the write transaction): the rows read are
    held (PostgreSQL ``FOR SHARE``; SQLite's writer lock holds everything) until the
    referrals are written, so a deactivation cannot slip in between."""
    if not drafts:
        return
    ids = sorted({d.service_id for d in drafts})
    q = (
        select(ServiceRow.id, ServiceRow.status, OrganizationRow.deactivated_at)
        .join(OrganizationRow, OrganizationRow.id == ServiceRow.organization_id)
        .where(ServiceRow.id.in_(ids))
    )
    rows = db.execute(q.with_for_update(read=True) if lock else q)
    found = {sid: (status, deactivated) for sid, status, deactivated in rows}
    problems = []
    for d in drafts:
        named = f"service {d.service_id!r} ({d.service_name}) of {d.provider_id!r} ({d.provider_name})"
        if d.service_id not in found:
            why, message = "service_gone", f"{named} is no longer in the catalog"
        elif found[d.service_id][1] is not None:
            why, message = (
                "organization_inactive",
                f"{named} is no longer offered: its organisation is no longer active",
            )
        elif found[d.service_id][0] != "active":
            why, message = "service_inactive", f"{named} is no longer offered: the service is no longer active"
        else:
            continue
        value = {"option_id": d.option_id, "why": why, "service": d.service_name, "provider": d.provider_name}
        problems.append(Problem("option_ids", f"{message}; choose another option", None, value))
    if problems:
        raise ChoiceError(
            f"no referral can be drafted to a service that is no longer offered ({len(problems)} chosen)", problems
        )


@dataclass(frozen=True)
class NewOptionList:
    """An option list computed for an assessment, not yet stored."""

    list_id: str
    assessment_id: str
    assessment: Assessment
    option_list: OptionList
    body: RawJSON  # serialised once: the stored copy and the response are the same bytes
    created_at: dt.datetime

    def write(self, db: Session, who: Principal) -> None:
        """Store the assessment and the list exactly as offered, and audit it."""
        ol = self.option_list
        summary = list_summary({"needs": [{"priority": n.priority, "options": n.options} for n in ol.needs]})
        # plain INSERTs: the busiest write of the service, and nothing here needs the ORM
        db.execute(
            insert(AssessmentRow.__table__),
            [
                {
                    "id": self.assessment_id,
                    "organization_id": who.organization_id,
                    "client_ref": self.assessment.client_ref,
                    "data": self.assessment.model_dump(mode="json"),
                    "created_by": who.key_id,
                    "created_at": self.created_at,
                }
            ],
        )
        db.execute(
            insert(OptionListRow.__table__),
            [
                {
                    "id": self.list_id,
                    "organization_id": who.organization_id,
                    "assessment_id": self.assessment_id,
                    "client_ref": self.assessment.client_ref,
                    "rules_version": ol.rules_version,
                    "catalog_version": ol.catalog_version,
                    "data": self.body,
                    "created_by": who.key_id,
                    "created_at": self.created_at,
                    **summary,
                }
            ],
        )
        audit(
            db,
            who,
            "create",
            "option_list",
            self.list_id,
            self.assessment.client_ref,
            assessment_id=self.assessment_id,
        )


def new_option_list(
    state: AppState, assessment: Assessment, *, all_needs: bool = False, show_all: bool = False
) -> NewOptionList:
    """Propose options for ``assessment`` with the catalog and rules in force."""
    list_id = "ol-" + uuid.uuid4().hex
    asm_id = "as-" + uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC)
    ol = propose(
        assessment,
        state.current_catalog(),
        state.rules,
        all_needs=all_needs,
        show_all=show_all,
        list_id=list_id,
        quality=state.quality(),
        children=state.children,
        created_at=now.isoformat(),
        limit=state.settings.option_limit,
    )
    ol = ol.model_copy(update={"assessment_id": asm_id})
    return NewOptionList(list_id, asm_id, assessment, ol, RawJSON(ol.model_dump_json()), now)


@dataclass(frozen=True)
class NewChoice:
    """The client's choice over a stored list, checked, not yet stored."""

    list_id: str
    option_list: OptionList
    assessment: Assessment
    choice: Choice
    # with cash chosen (issue 12): the transfers the choice makes, and its plan in exact money
    schedule: tuple[ScheduledTransfer, ...] = ()
    plan: tuple[dict[str, Any], ...] = ()

    def write(self, db: Session, who: Principal) -> dict[str, Any]:
        """Store the choice and one referral draft per chosen service (with cash: the
        client's transfer schedule, and the plan as its first version); the API's body."""
        choice, ol, list_id = self.choice, self.option_list, self.list_id
        check_still_offered(db, choice.referrals, lock=True)  # in the write transaction: a deactivation since is seen
        priorities = {n.need: n.priority for n in ol.needs}
        choice_id = "ch-" + uuid.uuid4().hex
        db.add(
            ChoiceRow(
                id=choice_id,
                option_list_id=list_id,
                organization_id=who.organization_id,
                decision=choice.decision,
                data=choice.model_dump(mode="json"),
                created_by=who.key_id,
            )
        )
        db.flush()
        referrals = []
        for draft in choice.referrals:
            ref_id = "rf-" + uuid.uuid4().hex
            opt = ol.option(draft.option_id)
            db.add(
                ReferralRow(
                    id=ref_id,
                    choice_id=choice_id,
                    option_list_id=list_id,
                    organization_id=who.organization_id,
                    provider_id=draft.provider_id,
                    service_id=draft.service_id,
                    kinds=list(getattr(opt, "kinds", [])),
                    need=draft.need,
                    priority=priorities.get(draft.need, 0),
                    status="draft",
                    shared=shared_view(draft, self.assessment),
                )
            )
            db.flush()
            referral = db.get(ReferralRow, ref_id)  # the row just added (no query)
            assert referral is not None
            # the history row and its webhook deliveries, in this transaction
            record_referral_event(db, referral, from_status="", to_status="draft", reason=None, actor=who.key_id)
            referrals.append({"id": ref_id, **draft.model_dump(mode="json")})
        audit(db, who, "create", "choice", choice_id, ol.client_ref, decision=choice.decision)
        if self.schedule:
            schedule_for_choice(db, who, ol.client_ref, choice_id, self.schedule)
            if self.plan:
                save_plan(db, who, ol.client_ref, {"lines": list(self.plan)})
        return {"id": choice_id, **choice.model_dump(mode="json"), "referrals": referrals}


def new_choice(
    db: Session,
    row: OptionListRow,
    option_ids: list[str],
    *,
    decision: str | None = None,
    consent: dict[str, list[str]] | None = None,
    note: str | None = None,
    spending_plan: list[Any] | None = None,
    programme: Programme | None = None,
    state: AppState | None = None,
) -> NewChoice:
    """Check the client's choice over the stored list ``row`` (raises ``ChoiceError``
    naming every problem); ends the read transaction, so ``write`` can start its own.
    With cash chosen, ``programme`` (default: the pilot's) sets the transfer schedule."""
    ol = OptionList.model_validate(row.data)
    asm = db.get(AssessmentRow, row.assessment_id)
    assert asm is not None  # an option list always has its assessment (erased together)
    assessment = Assessment.model_validate(asm.data)
    if state is not None and not set(option_ids) <= set(ol.option_ids()):
        # an option from a later page: built as the page shows it (as of now if the catalog moved on)
        ol = with_paged_options(
            ol,
            option_ids,
            assessment,
            state.current_catalog(),
            state.rules,
            children=state.children,
            allow_current=True,
        )
    choice = choose(ol, option_ids, decision=decision, consent=consent, note=note, spending_plan=spending_plan or [])
    check_still_offered(db, choice.referrals)
    list_id = row.id
    schedule, plan = choice_cash_plan(ol, choice, programme or Programme(), dt.datetime.now(dt.UTC).date())
    db.rollback()
    return NewChoice(list_id, ol, assessment, choice, tuple(schedule), tuple(plan))
