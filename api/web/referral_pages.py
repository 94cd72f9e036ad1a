"""Referrals in the pages: the caseworker's board of their clients' referrals by status,
and the partner's inbox of the referrals sent to them, showing only what the client
agreed to share. Every move is a POST form (with its CSRF token) that calls the API's
own transition, so the lifecycle, the sides and the 409s are the API's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import NEEDS, Catalog

from ..routes.feedback import issue_code
from ..routes.referrals import REFERRALS, TransitionCreate, get_referral, list_referrals, transition
from .calls import Refused, call, every_item
from .deps import PAGES
from .i18n import LANGUAGE_NAMES, N_, Translator, translator
from .qr import qr_svg
from .security import CurrentPerson, WebError
from .templating import user_language

__all__ = ["BOARD", "MOVE_LABELS", "router"]

router = APIRouter()

#: the board's columns: a heading and the statuses it holds, per side
BOARD: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "caseworker": [
        (N_("Not sent yet"), ("draft",)),
        (N_("Waiting for the partner"), ("sent",)),
        (N_("Accepted"), ("accepted",)),
        (N_("Started"), ("in_progress",)),
        (N_("Done"), ("completed",)),
        (N_("Declined or closed"), ("declined", "closed")),
    ],
    "partner": [
        (N_("New"), ("sent",)),
        (N_("Accepted"), ("accepted",)),
        (N_("Started"), ("in_progress",)),
        (N_("Done"), ("completed",)),
        (N_("Declined or closed"), ("declined", "closed")),
    ],
}
#: what the button of each move says
MOVE_LABELS = {
    "sent": N_("Send to the partner"),
    "accepted": N_("Accept"),
    "declined": N_("Decline"),
    "in_progress": N_("Started"),
    "completed": N_("Done"),
    "closed": N_("Close"),
}
STATUS_LABELS = {
    "draft": N_("not sent yet"),
    "sent": N_("sent"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "in_progress": N_("started"),
    "completed": N_("done"),
    "closed": N_("closed"),
}
#: what each shared field is, as the partner reads it
FIELD_LABELS = {
    "client_ref": N_("Case reference"),
    "need": N_("Need"),
    "needs": N_("Needs ranked"),
    "languages": N_("Languages"),
    "location": N_("Where now"),
    "plan": N_("Plan"),
    "intended_location": N_("Where next"),
    "documents": N_("Documents"),
    "gender": N_("Gender"),
    "age": N_("Age"),
    "nationality": N_("Nationality"),
    "work_limits": N_("Work limits"),
    "avoid_sectors": N_("Work not wanted"),
    "legal_interest": N_("Legal interest"),
    "no_contact_with": N_("No contact with"),
}


def _party(person: Any) -> Any:
    if person.role not in ("caseworker", "partner"):
        raise WebError(403, N_("This page is not for your role."))
    return person.principal


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shown(v)}" for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _shown_field(name: str, value: Any, _: Translator) -> str:
    """A shared field as words: needs by their label, languages by their own name."""
    if name == "need" and value in NEEDS:
        return _(NEEDS[value].label)
    if name == "needs" and isinstance(value, dict):
        return ", ".join(f"{_(NEEDS[n].label) if n in NEEDS else n}: {p}" for n, p in value.items())
    if name == "languages" and isinstance(value, list):
        return ", ".join(LANGUAGE_NAMES.get(str(v), str(v)) for v in value)
    return _shown(value)


def _card(ref: dict[str, Any], catalog: Catalog, _: Translator) -> dict[str, Any]:
    svc = catalog.get(ref["service_id"])
    org = catalog.get_organization(ref["provider_id"])
    need = NEEDS.get(ref["need"])
    return {
        **ref,
        "service_name": svc.name if svc else ref["service_id"],
        "provider_name": org.name if org else ref["provider_id"],
        "need_label": need.label if need else ref["need"],
        "status_label": STATUS_LABELS.get(ref["status"], ref["status"]),
        "shared": [(FIELD_LABELS.get(k, k), _shown_field(k, v, _)) for k, v in (ref.get("client") or {}).items()],
        "updated": ref["updated_at"][:16].replace("T", " "),
    }


@router.get("/web/referrals")
def board(request: Request, person: CurrentPerson) -> Response:
    """The caseworker's board (their organisation's referrals) or the partner's inbox."""
    who = _party(person)
    state = request.app.state.freechoice
    with state.db.session() as db:
        refs = every_item(list_referrals, REFERRALS, request, who, db, status=None, modified_since=None)
    catalog = state.current_catalog()
    t = translator(user_language(request, person))
    cards = [_card(r, catalog, t) for r in reversed(refs)]  # newest first
    columns = [
        {"title": title, "statuses": statuses, "cards": [c for c in cards if c["status"] in statuses]}
        for title, statuses in BOARD[who.role]
    ]
    template = "referrals.html" if who.role == "caseworker" else "inbox.html"
    return PAGES.render(request, template, {"columns": columns, "count": len(cards)})


def _detail(
    request: Request, person: Any, ref_id: str, *, error: Refused | None = None, link: dict[str, Any] | None = None
) -> Response:
    who = _party(person)
    state = request.app.state.freechoice
    with state.db.session() as db:
        try:
            ref = call(get_referral, ref_id, who, db)
        except Refused as refused:
            raise WebError(404, N_("There is no such referral.")) from refused
    card = _card(ref, state.current_catalog(), translator(user_language(request, person)))
    context = {
        "ref": card,
        "moves": [(to, MOVE_LABELS.get(to, to), to in ("declined", "closed")) for to in ref["allowed_transitions"]],
        "history": [
            {**h, "to_label": STATUS_LABELS.get(h["to"], h["to"]), "at": h["at"][:16].replace("T", " ")}
            for h in ref["history"]
        ],
        "error": error,
        "link": link,
        "side": who.role,
        "qr": qr_svg,
    }
    return PAGES.render(request, "referral.html", context, status=error.status if error else 200)


@router.get("/web/referrals/{ref_id}")
def referral(request: Request, ref_id: str, person: CurrentPerson) -> Response:
    return _detail(request, person, ref_id)


@router.post("/web/referrals/{ref_id}/move")
def move(
    request: Request,
    ref_id: str,
    person: CurrentPerson,
    to: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Move the referral on with the API's transition: a refused move shows why (409:
    the moves allowed now; 422: a reason is needed) on the referral's page."""
    who = _party(person)
    with request.app.state.freechoice.db.session() as db:
        try:
            call(transition, ref_id, TransitionCreate(to=to, reason=reason.strip() or None), who, db)
        except Refused as refused:
            if refused.status == 404:
                raise WebError(404, N_("There is no such referral.")) from refused
            return _detail(request, person, ref_id, error=refused)
    return RedirectResponse(f"/web/referrals/{ref_id}", status_code=303)


@router.post("/web/referrals/{ref_id}/feedback-link")
def feedback_link(
    request: Request, ref_id: str, person: CurrentPerson, lang: Annotated[str, Form(max_length=16)] = ""
) -> Response:
    """Issue the client's single-use feedback link (the API's code), shown once with its QR code."""
    who = _party(person)
    if who.role != "caseworker":
        raise WebError(403, N_("This page is not for your role."))
    state = request.app.state.freechoice
    valid_for = dt.timedelta(days=state.settings.feedback_code_days)
    with state.db.writing() as db:
        try:
            issued = call(issue_code, db, who, ref_id, valid_for)
        except Refused as refused:
            if refused.status == 404:
                raise WebError(404, N_("There is no such referral.")) from refused
            failed = refused
        else:
            failed = None
    if failed is not None:
        return _detail(request, person, ref_id, error=failed)
    url = str(request.url_for("feedback_by_link", token=issued["token"]))
    if lang in state.settings.web_languages:  # the form opens in the client's language
        url += f"?lang={lang}"
    link = {"url": url, "expires": issued["expires_at"][:10]}
    return _detail(request, person, ref_id, link=link)
