"""Accounts, for an admin: who can sign in, new accounts, password resets (a reset
also lifts a lock and signs the person out everywhere), and disabling an account (it
signs the person out at once) or enabling it again.

``admin`` is the programme's administrator, for every organisation, as the API's
``admin`` is (it registers and deactivates organisations and makes every organisation's
keys): the page lists, makes, resets, disables and enables the accounts of every
organisation alike (never disabling oneself). There is no organisation-level admin
role; other roles get 403 saying the page is for administrators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import Problem, ValidationFailed
from freechoice.catalog.db.tables import OrganizationRow, PersonRow

from ..auth import bump_access_revision
from ..records import audit
from .accounts import MIN_PASSWORD, PERSON_ROLES, Person, create_person, reset_password, set_disabled
from .deps import PAGES
from .i18n import N_
from .security import CurrentPerson, WebError

__all__ = ["ROLE_TEXT", "router"]

router = APIRouter()


async def _administrator(person: CurrentPerson) -> Person:
    if person.role != "admin":
        raise WebError(403, N_("Only an administrator makes, resets, disables or enables accounts."))
    return person


Admin = Annotated[Person, Depends(_administrator)]

ROLE_TEXT = {
    "caseworker": N_("Caseworker"),
    "partner": N_("Partner staff"),
    "manager": N_("Programme manager"),
    "admin": N_("Administrator"),
}


def _render(
    request: Request,
    admin: Person,
    *,
    problems: list[Problem] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    now = dt.datetime.now(dt.UTC)
    with request.app.state.freechoice.db.session() as s:
        people = []
        for p in s.scalars(select(PersonRow).order_by(PersonRow.organization_id, PersonRow.username)):
            locked = (
                p.locked_until is not None
                and (p.locked_until if p.locked_until.tzinfo else p.locked_until.replace(tzinfo=dt.UTC)) > now
            )
            people.append(
                {
                    "username": p.username,
                    "name": p.display_name,
                    "org": p.organization_id,
                    "role": p.role,
                    "locked": locked,
                    "disabled": p.disabled_at is not None,
                    # an admin disables (or enables) anyone's account but their own
                    "can_disable": p.id != admin.id,
                }
            )
        active = select(OrganizationRow).where(OrganizationRow.deactivated_at.is_(None))  # no account for one stopped
        orgs = [(o.id, o.name) for o in s.scalars(active.order_by(OrganizationRow.name))]
    return PAGES.render(
        request,
        "people.html",
        {
            "people": people,
            "orgs": orgs,
            "roles": [(r, ROLE_TEXT[r]) for r in PERSON_ROLES],
            "role_text": ROLE_TEXT,
            "problems": problems or [],
            "done": done,
            "min_password": MIN_PASSWORD,
        },
        status=status,
    )


@router.get("/web/people")
def people(request: Request, person: Admin) -> Response:
    return _render(request, person, done=request.query_params.get("done"))


@router.post("/web/people")
async def create(request: Request, person: Admin) -> Response:
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in ("username", "name", "organization", "role")}
    password = str(form.get("password") or "")

    def make() -> Response:
        try:
            with request.app.state.freechoice.db.writing() as s:
                new_id = create_person(
                    s,
                    username=values["username"],
                    password=password,
                    organization_id=values["organization"],
                    role=values["role"],
                    display_name=values["name"],
                    created_by=person.id,
                )
                audit(s, person.principal, "create", "person", new_id, role=values["role"])
        except ValidationFailed as err:
            return _render(request, person, problems=err.problems, status=422)
        return RedirectResponse("/web/people?done=created", status_code=303)

    return await run_in_threadpool(make)


@router.post("/web/people/{username}/reset")
async def reset(request: Request, username: str, person: Admin) -> Response:
    form = await request.form()
    password = str(form.get("password") or "")

    def run() -> Response:
        try:
            with request.app.state.freechoice.db.writing() as s:
                person_id = reset_password(s, username, password)
                audit(s, person.principal, "reset", "person", person_id)
        except ValidationFailed as err:
            return _render(request, person, problems=err.problems, status=422)
        return RedirectResponse("/web/people?done=reset", status_code=303)

    return await run_in_threadpool(run)


async def _switch(request: Request, username: str, person: Person, *, disabled: bool) -> Response:
    def run() -> Response:
        try:
            with request.app.state.freechoice.db.writing() as s:
                if s.scalar(select(PersonRow.id).where(PersonRow.username == username)) is None:
                    raise WebError(404, N_("There is no such account."))
                bump_access_revision(s)  # first: keys issued to the person stop in every worker
                row = set_disabled(s, username, disabled=disabled, by=person.id)
                audit(s, person.principal, "disable" if disabled else "enable", "person", row.id)
        except ValidationFailed as err:
            return _render(request, person, problems=err.problems, status=422)
        return RedirectResponse(f"/web/people?done={'disabled' if disabled else 'enabled'}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/web/people/{username}/disable")
async def disable(request: Request, username: str, person: Admin) -> Response:
    return await _switch(request, username, person, disabled=True)


@router.post("/web/people/{username}/enable")
async def enable(request: Request, username: str, person: Admin) -> Response:
    return await _switch(request, username, person, disabled=False)
