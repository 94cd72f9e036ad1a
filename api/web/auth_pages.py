"""Signing in and out, the language switch, and the start page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from freechoice.catalog.db.tables import IntakeDraft

from ..auth import Principal
from ..records import audit, audited_read
from .accounts import sign_in
from .deps import PAGES
from .security import SESSION_COOKIE, CurrentPerson, cookie_secure, optional_person
from .templating import LANG_COOKIE

__all__ = ["router", "safe_next"]

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this site only (never another host)."""
    if target and target.startswith("/web/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/web/"


@router.get("/web/")
def home(request: Request, person: CurrentPerson) -> Response:
    drafts = []
    if person.role == "caseworker":
        with request.app.state.freechoice.db.session() as s:
            rows = s.execute(
                select(IntakeDraft.id, IntakeDraft.client_ref, IntakeDraft.updated_at, IntakeDraft.option_list_id)
                .where(IntakeDraft.organization_id == person.organization_id)
                .order_by(IntakeDraft.updated_at.desc())
                .limit(20)
            ).all()
            if rows:
                audited_read(s, person.principal, "intake_draft", None, None, listed=len(rows))
        drafts = [
            {
                "id": r.id,
                "client_ref": r.client_ref,
                "updated": f"{r.updated_at:%Y-%m-%d %H:%M}",
                "option_list_id": r.option_list_id,
            }
            for r in rows
        ]
    return PAGES.render(request, "home.html", {"drafts": drafts})


@router.get("/web")
def web_root() -> Response:
    return RedirectResponse("/web/", status_code=307)


@router.get("/web/login")
async def login_form(request: Request, next: str = "/web/") -> Response:
    if await optional_person(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return PAGES.render(request, "login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/web/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/web/",
) -> Response:
    state = request.app.state.freechoice
    settings = state.settings
    from .i18n import translator
    from .templating import user_language

    with state.db.writing() as s:
        outcome = sign_in(
            s,
            username,
            password,
            max_failures=settings.login_max_failures,
            lockout=dt.timedelta(minutes=settings.login_lockout_minutes),
            session_length=dt.timedelta(hours=settings.session_hours),
        )
        if outcome.person_id is not None:
            from freechoice.catalog.db.tables import PersonRow

            row = s.get(PersonRow, outcome.person_id)
            assert row is not None
            who = Principal(row.id, row.organization_id, row.role, row.id)
            if outcome.ok:
                audit(s, who, "sign_in", "person", row.id)
            else:
                audit(s, who, "sign_in_failed", "person", row.id, locked=outcome.locked_until is not None)
    if not outcome.ok:
        _ = translator(user_language(request, None))
        if outcome.locked_until is not None:
            until = outcome.locked_until.strftime("%H:%M")
            error = _(
                "Too many wrong passwords: this account is locked until %(time)s UTC. An administrator can unlock it.",
                time=until,
            )
        else:
            error = _("The username or the password is wrong.")
        return PAGES.render(
            request, "login.html", {"next": safe_next(next), "username": username, "error": error}, status=401
        )
    assert outcome.token is not None
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        outcome.token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    return response


@router.post("/web/logout")
def logout(request: Request, person: CurrentPerson) -> Response:
    from .accounts import end_session

    with request.app.state.freechoice.db.writing() as s:
        end_session(s, request.cookies.get(SESSION_COOKIE, ""))
        audit(s, person.principal, "sign_out", "person", person.id)
    response = RedirectResponse("/web/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(request))
    return response


@router.get("/web/language")
def switch_language(request: Request, lang: str = "en", next: str = "/web/") -> Response:
    """Remember the chosen language of the pages (a cookie) and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in request.app.state.freechoice.settings.web_languages:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=cookie_secure(request), path="/"
        )
    return response
