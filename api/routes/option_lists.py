"""Option lists (caseworkers): POST an assessment, get the options; stored exactly as
offered and served unchanged later. Choices over a list become referral drafts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import Response

from freechoice.catalog import ChoiceError
from freechoice.catalog.db.tables import AssessmentRow, ChoiceRow, OptionListRow, ReferralRow
from freechoice.engine import Assessment, BadCursor, Exclusion, Option, OptionList, options_page
from freechoice.engine.paging import encode_cursor

from ..auth import Principal
from ..conditional import ETAG, NOT_MODIFIED, IfNoneMatch, not_modified
from ..deps import DbSession, State, own_record, read_own, require_role
from ..pagination import Page, PageRequest, Paging, link_header, page_of
from ..params import ClientRefQuery, PathId
from ..problems import ProblemError
from ..proposals import new_choice, new_option_list
from ..records import audited_read, create_once
from ..responses import FastJSONResponse
from ..schemas import ChoiceCreated, ChoiceRecord, OptionListSummary
from ..times import rfc3339

__all__ = ["router"]

router = APIRouter(tags=["option-lists"])
OptionId = Annotated[str, Field(max_length=128)]
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]
OPTION_LISTS = Paging("option-lists", keys=(dt.datetime, str), descending=True)
# a need's options after the first ones; the cursor is the engine's (freechoice.engine.paging)
NEED_OPTIONS = Paging("options", keys=(int,), default=10, maximum=100)
NeedPath = Annotated[str, Path(max_length=64, description="A need on the list (its `need` field).")]


class NeedOptionsPage(Page[Option]):
    """A page of one need's options. A need's options are worked out best first, only as
    far as they are read: a page names the need's exclusions found while it was worked
    out (``excluded``), so the list's and its pages' exclusions together are every one.
    When the catalog or rules have changed since the list was made (every capacity change
    does), the page cannot be rebuilt exactly: it is then built from the catalog and rules
    in force now, leaving out every option the list already shows, and ``as_of_now`` says so."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [],
                    "next": None,
                    "excluded": [],
                    "as_of_now": True,
                    "catalog_version": "sample-8",
                    "rules_version": "2026.11",
                }
            ]
        }
    )
    excluded: list[Exclusion] = Field(
        default_factory=list,
        description="The need's services ruled out while this page was worked out, each with the rule and why "
        "(as in the list's `excluded`): none the list or an earlier page of the need already names. The list's "
        "`excluded` names those found for its first options; reading every page names every one.",
    )
    as_of_now: bool = Field(
        description="True: the catalog or rules changed since the list was made, so this page is the need's "
        "further options as they are now (none the list already shows), not as they were when it was made"
    )
    catalog_version: str = Field(description="The catalog version this page was built from")
    rules_version: str = Field(description="The rules version this page was built from")


class ChoiceCreate(BaseModel):
    """The client's choice: option ids (``cash`` included), or none, or decide later."""

    model_config = ConfigDict(extra="forbid")
    option_ids: list[OptionId] = Field(default_factory=list, max_length=100)
    decision: Literal["chosen", "none_of_these", "decide_later"] | None = None
    consent: dict[OptionId, Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)]] = Field(
        default_factory=dict, max_length=100, description="option id -> fields to share with that provider"
    )
    note: str | None = Field(default=None, max_length=2000)
    spending_plan: list[Any] = Field(
        default_factory=list,
        max_length=50,
        description="With the cash option: the client's plan, [{need, amount, note}] (checked line by line by choose())",
    )


def own_option_list(db: Any, list_id: str, who: Principal) -> OptionListRow:
    return own_record(db, OptionListRow, list_id, who, "option list")


@router.post(
    "/option-lists",
    status_code=201,
    response_model=None,
    responses={201: {"model": OptionList, "description": "The options, each explained"}},
    summary="Propose options for an assessment (caseworker)",
)
def create_option_list(
    assessment: Assessment,
    request: Request,
    who: Caseworker,
    db: DbSession,
    state: State,
    all_needs: bool = False,
    show_all: bool = False,
):
    made = new_option_list(state, assessment, all_needs=all_needs, show_all=show_all)

    def create():
        made.write(db, who)
        return 201, made.body

    response = create_once(request, db, who, create, location=lambda id_: f"/option-lists/{id_}")
    if response.status_code == 201 and "idempotent-replayed" not in response.headers:
        request.app.state.metrics.option_lists.inc()
    return response


@router.get(
    "/option-lists/{list_id}",
    response_model=None,
    responses={
        200: {"model": OptionList, "description": "The option list as offered", "headers": ETAG},
        304: NOT_MODIFIED,
    },
    summary="An option list exactly as it was offered (immutable: its ETag never changes)",
)
def get_option_list(
    list_id: PathId, who: Caseworker, db: DbSession, request: Request, if_none_match: IfNoneMatch = None
) -> Response:
    row = own_option_list(db, list_id, who)
    etag = f'"{row.id}"'  # an option list never changes
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged  # nothing about the client is sent: no read to record
    audited_read(db, who, "option_list", list_id, row.client_ref)
    return FastJSONResponse(row.data, headers={"ETag": etag})


@router.get(
    "/option-lists/{list_id}/needs/{need}/options",
    response_model=None,
    responses={
        200: {
            "model": NeedOptionsPage,
            "description": "The need's options from the cursor on, in the list's order, with the need's "
            "exclusions found for them (`excluded`); `as_of_now`: built from the catalog and rules in force now, "
            "because they changed since the list was made",
            "headers": link_header(),
        },
        404: {"description": "No such option list, or the need is not on it"},
    },
    summary="A page of one need's options (the ones after the first, from `more.cursor`)",
)
def get_need_options(
    list_id: PathId,
    need: NeedPath,
    who: Caseworker,
    db: DbSession,
    state: State,
    page: Annotated[PageRequest, Depends(NEED_OPTIONS.dependency)],
) -> Response:
    row = own_option_list(db, list_id, who)
    ol = OptionList.model_validate(row.data)
    if need not in {n.need for n in ol.needs}:
        raise ProblemError(
            404,
            f"need {need!r} is not on this option list",
            errors=[{"field": "path.need", "message": "one of: " + ", ".join(n.need for n in ol.needs)}],
        )
    asm = db.get(AssessmentRow, row.assessment_id)
    assert asm is not None  # an option list always has its assessment (erased together)
    assessment = Assessment.model_validate(asm.data)
    client_ref = row.client_ref
    db.rollback()  # the read ends before the page is built
    start = page.after[0] if page.after is not None else None
    try:
        built_page = options_page(
            ol,
            assessment,
            state.current_catalog(),
            state.rules,
            need,
            cursor=None if start is None else encode_cursor(start),
            count=page.limit,
            children=state.children,
            allow_current=True,
        )
    except BadCursor as err:
        raise ProblemError(
            422,
            "invalid cursor: follow `more.cursor` or the `next` link of a page of this need",
            errors=[{"field": "query.cursor", "message": str(err)}],
        ) from None
    audited_read(db, who, "option_list", list_id, client_ref, need=need, start=built_page.start)
    end = built_page.start + len(built_page.items)
    rows: list[Any] = list(built_page.items)
    if built_page.next_cursor is not None:
        rows.append(None)  # one more than the page: respond() gives `next`
    return page.respond(
        rows,
        key=lambda _: (end,),
        item=lambda o: o.model_dump(mode="json"),
        extra={
            "excluded": [e.model_dump(mode="json") for e in built_page.excluded],
            "as_of_now": built_page.as_of_now,
            "catalog_version": built_page.catalog_version,
            "rules_version": built_page.rules_version,
        },
    )


@router.get(
    "/option-lists",
    response_model=None,
    responses=page_of(OptionListSummary, "Newest first"),
    summary="Option lists of your organisation (optionally one client's)",
)
def list_option_lists(
    who: Caseworker,
    db: DbSession,
    page: Annotated[PageRequest, Depends(OPTION_LISTS.dependency)],
    client_ref: ClientRefQuery | None = None,
) -> Response:
    q = select(OptionListRow).where(OptionListRow.organization_id == who.organization_id)
    if client_ref:
        q = q.where(OptionListRow.client_ref == client_ref)
    rows = list(db.scalars(page.apply(q, OptionListRow.created_at, OptionListRow.id)))
    audited_read(db, who, "option_list", None, client_ref, listed=min(len(rows), page.limit))
    return page.respond(
        rows,
        key=lambda r: (r.created_at, r.id),
        item=lambda r: {
            "id": r.id,
            "client_ref": r.client_ref,
            "created_at": rfc3339(r.created_at),
            "rules_version": r.rules_version,
            "catalog_version": r.catalog_version,
        },
    )


@router.post(
    "/option-lists/{list_id}/choices",
    status_code=201,
    tags=["choices"],
    response_model=None,
    responses={201: {"model": ChoiceCreated, "description": "The choice and the referral drafts it made"}},
    summary="Record the client's choice; chosen services become referral drafts",
)
def create_choice(list_id: PathId, body: ChoiceCreate, request: Request, who: Caseworker, db: DbSession, state: State):
    row = own_option_list(db, list_id, who)
    list_id, client_ref = row.id, row.client_ref
    try:
        made = new_choice(
            db,
            row,
            body.option_ids,
            state=state,
            decision=body.decision,
            consent=body.consent,
            note=body.note,
            spending_plan=body.spending_plan,
            programme=state.programme,
        )

        def create():
            return 201, made.write(db, who)

        return create_once(request, db, who, create, location=lambda id_: f"/choices/{id_}")
    except ChoiceError as err:
        # the client's list and assessment were read, and nothing was recorded: audit the read
        db.rollback()
        audited_read(db, who, "option_list", list_id, client_ref, refused="choice", problems=len(err.problems))
        raise


@router.get(
    "/choices/{choice_id}",
    tags=["choices"],
    response_model=None,
    responses={200: {"model": ChoiceRecord, "description": "The choice"}},
    summary="One recorded choice",
)
def get_choice(choice_id: PathId, who: Caseworker, db: DbSession) -> dict[str, Any]:
    row = read_own(
        db, ChoiceRow, choice_id, who, "choice", resource="choice", client_ref=lambda r: r.data.get("client_ref")
    )
    refs = [r.id for r in db.scalars(select(ReferralRow).where(ReferralRow.choice_id == choice_id))]
    return {"id": row.id, **row.data, "referral_ids": refs, "created_at": rfc3339(row.created_at)}
