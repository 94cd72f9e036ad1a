"""Page 1, the intake with the client: the 21 needs as cards ranked 1-4, the situation in
plain questions, saved as a draft; "See the options" proposes exactly as POST
/option-lists does (same library function, same stored list)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import CATEGORIES, NEEDS, Problem, ValidationFailed
from freechoice.catalog.db.tables import IntakeDraft
from freechoice.engine import parse_assessment

from ..proposals import new_option_list
from ..records import audit, audited_read
from .accounts import Person
from .deps import PAGES, Caseworker
from .i18n import LANGUAGE_NAMES, N_
from .intake_form import (
    DOCUMENT_TEXT,
    FIELD_LABELS,
    FORM_LANGUAGE_SLOTS,
    LEGAL_TEXT,
    PARTY_TEXT,
    PLAN_TEXT,
    WORK_LIMIT_TEXT,
    assessment_of,
    client_languages_in,
    countries_in,
    field_errors,
    form_of,
)
from .security import WebError
from .templating import user_language

__all__ = ["client_language", "own_draft", "router"]

router = APIRouter()
_CLIENT_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def client_language(request: Request, languages: list[str]) -> str | None:
    """The language the client reads the pages in: the first of theirs the pages offer."""
    offered = request.app.state.freechoice.settings.web_languages
    return next((code for code in languages if code in offered), None)


def own_draft(request: Request, draft_id: str, person: Person) -> IntakeDraft:
    """The draft, if it belongs to the person's organisation (else 404, as the API)."""
    with request.app.state.freechoice.db.session() as s:
        row = s.get(IntakeDraft, draft_id)
        if row is None or row.organization_id != person.organization_id:
            raise WebError(404, N_("There is no such intake."))
        s.expunge(row)
        audited_read(s, person.principal, "intake_draft", row.id, row.client_ref)
    return row


def _render(
    request: Request, form: dict[str, Any], *, draft_id: str | None, errors: dict[str, list[Problem]], status: int = 200
) -> Response:
    by_category: dict[str, list[Any]] = {}
    for need in sorted(NEEDS.values(), key=lambda n: n.order):
        by_category.setdefault(need.category, []).append(need)
    lang = client_language(request, form.get("languages") or [])
    user_lang = user_language(request, request.state.web_person)
    languages = list(form.get("languages") or [])
    languages += [""] * (FORM_LANGUAGE_SLOTS - len(languages))
    return PAGES.render(
        request,
        "intake.html",
        {
            "form": form,
            "draft_id": draft_id,
            "errors": errors,
            "categories": [(CATEGORIES[c], needs) for c, needs in by_category.items()],
            "countries": countries_in(user_lang),
            "client_languages": client_languages_in(user_lang),
            "language_slots": languages[:FORM_LANGUAGE_SLOTS],
            "plans": PLAN_TEXT,
            "documents": DOCUMENT_TEXT,
            "parties": PARTY_TEXT,
            "work_limits": WORK_LIMIT_TEXT,
            "legal": LEGAL_TEXT,
            "page_languages": LANGUAGE_NAMES,
            "field_labels": FIELD_LABELS,
        },
        status=status,
        client_lang=lang,
    )


@router.get("/web/intake")
def new_intake(request: Request, person: Caseworker) -> Response:
    return _render(request, form_of({}), draft_id=None, errors={})


@router.get("/web/intake/{draft_id}")
def show_intake(request: Request, draft_id: str, person: Caseworker) -> Response:
    row = own_draft(request, draft_id, person)
    return _render(request, row.data, draft_id=row.id, errors={})


@router.post("/web/intake")
async def save_new_intake(request: Request, person: Caseworker) -> Response:
    return await _save(request, person, None)


@router.post("/web/intake/{draft_id}")
async def save_intake(request: Request, draft_id: str, person: Caseworker) -> Response:
    return await _save(request, person, draft_id)


async def _save(request: Request, person: Person, draft_id: str | None) -> Response:
    raw = await request.form()
    form = form_of(raw)
    action = raw.get("action")
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_save_sync, request, person, draft_id, form, action)


def _save_sync(request: Request, person: Person, draft_id: str | None, form: dict[str, Any], action: Any) -> Response:
    state = request.app.state.freechoice
    if draft_id is not None:
        own_draft(request, draft_id, person)
    if not _CLIENT_REF.match(form["client_ref"]):
        errors = {
            "client_ref": [
                Problem("client_ref", N_("a case reference (never a name): letters, digits, '.', '_' or '-'"))
            ]
        }
        return _render(request, form, draft_id=draft_id, errors=errors, status=422)
    made = None
    if action == "propose":
        try:
            assessment = parse_assessment(assessment_of(form))
        except ValidationFailed as err:
            return _render(request, form, draft_id=draft_id, errors=field_errors(err.problems), status=422)
        made = new_option_list(state, assessment)
    who = person.principal
    now = dt.datetime.now(dt.UTC)
    with state.db.writing() as s:
        if draft_id is None:
            draft_id = "dr-" + uuid.uuid4().hex
            s.add(
                IntakeDraft(
                    id=draft_id,
                    organization_id=person.organization_id,
                    client_ref=form["client_ref"],
                    data=form,
                    created_by=person.id,
                    created_at=now,
                    updated_at=now,
                )
            )
            audit(s, who, "create", "intake_draft", draft_id, form["client_ref"])
        else:
            row = s.get(IntakeDraft, draft_id)
            assert row is not None
            row.data, row.client_ref, row.updated_at = form, form["client_ref"], now
            audit(s, who, "update", "intake_draft", draft_id, form["client_ref"])
        if made is not None:
            made.write(s, who)
            s.flush()
            row = s.get(IntakeDraft, draft_id)
            assert row is not None
            row.option_list_id = made.list_id
    if made is not None:
        request.app.state.metrics.option_lists.inc()
        lang = client_language(request, form["languages"])
        return RedirectResponse(f"/web/options/{made.list_id}" + (f"?lang={lang}" if lang else ""), status_code=303)
    return RedirectResponse(f"/web/intake/{draft_id}?saved=1", status_code=303)
