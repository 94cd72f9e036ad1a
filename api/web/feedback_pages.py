"""The client's feedback form, in the client's language: on the caseworker's phone (by
referral, the caseworker signed in) or on the client's own phone through the single-use
link or QR code (anonymous: the link carries the code, nobody is signed in). Both record
through the API's own function; a used or expired link says so plainly."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from freechoice.catalog.db import write_transaction
from freechoice.engine.feedback import FEEDBACK_QUESTIONS

from ..routes.feedback import FeedbackCreate, code_state, record_feedback
from .calls import Refused, call
from .deps import PAGES, Caseworker
from .i18n import N_
from .security import WebError

__all__ = ["QUESTIONS", "client_language", "router"]

router = APIRouter()

#: the engine's feedback questions (messages of the localisation layer), by field
QUESTIONS: dict[str, str] = dict(FEEDBACK_QUESTIONS)
#: what a link that cannot be used says, by the code's state
CLOSED = {
    "used": (409, N_("This feedback link has already been used. Thank you: your feedback is recorded.")),
    "expired": (410, N_("This feedback link has expired. Ask your caseworker for a new one if you want to say more.")),
    "unknown": (404, N_("This feedback link is not valid. Check that it was copied in full.")),
}
_STATE_OF_STATUS = {409: "used", 410: "expired", 422: "unknown", 404: "unknown"}


def _body(
    need_met: str, satisfaction: str, would_recommend: str, text: str, **link: Any
) -> tuple[FeedbackCreate | None, Refused | None]:
    values: dict[str, Any] = {"need_met": need_met or None, "text": text.strip() or None, **link}
    values["satisfaction"] = int(satisfaction) if satisfaction.isdigit() else None
    values["would_recommend"] = {"yes": True, "no": False}.get(would_recommend)
    try:
        return call(FeedbackCreate.model_validate, values), None
    except Refused as refused:
        return None, refused


def client_language(request: Request) -> str | None:
    """The client's language when the link or the caseworker named one (``?lang=``)."""
    lang = request.query_params.get("lang")
    return lang if lang in request.app.state.freechoice.settings.web_languages else None


def _form(
    request: Request, action: str, *, error: Refused | None = None, values: dict[str, str] | None = None
) -> Response:
    lang = client_language(request)
    return PAGES.render(
        request,
        "feedback_form.html",
        {"action": action + (f"?lang={lang}" if lang else ""), "q": QUESTIONS, "error": error, "values": values or {}},
        status=error.status if error else 200,
        client_lang=lang,
    )


@router.get("/web/feedback/{token}", name="feedback_by_link")
def feedback_by_link(request: Request, token: str) -> Response:
    with request.app.state.freechoice.db.session() as db:
        state = code_state(db, token)
    if state != "open":
        status, message = CLOSED[state]
        return PAGES.render(
            request, "feedback_closed.html", {"message": message}, status=status, client_lang=client_language(request)
        )
    return _form(request, f"/web/feedback/{token}")


def _rate_limited(request: Request) -> None:
    state = request.app.state.freechoice
    limiter = state.limiter("feedback", "address")
    if limiter.hit(f"address:{request.client.host if request.client else 'unknown'}") > 0:
        raise WebError(429, N_("Too many tries from here. Please wait a few minutes and try again."))


@router.post("/web/feedback/{token}")
def give_feedback_by_link(
    request: Request,
    token: str,
    need_met: Annotated[str, Form(max_length=16)] = "",
    satisfaction: Annotated[str, Form(max_length=4)] = "",
    would_recommend: Annotated[str, Form(max_length=8)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    _rate_limited(request)
    values = {"need_met": need_met, "satisfaction": satisfaction, "would_recommend": would_recommend, "text": text}
    body, invalid = _body(need_met, satisfaction, would_recommend, text, token=token)
    if invalid is not None or body is None:
        return _form(request, f"/web/feedback/{token}", error=invalid, values=values)
    with request.app.state.freechoice.db.session() as db:
        try:
            call(_record, db, None, body)
        except Refused as refused:
            status, message = CLOSED[_STATE_OF_STATUS.get(refused.status, "unknown")]
            return PAGES.render(
                request,
                "feedback_closed.html",
                {"message": message},
                status=status,
                client_lang=client_language(request),
            )
    request.app.state.freechoice.invalidate_quality()
    return PAGES.render(request, "feedback_done.html", {}, status=201, client_lang=client_language(request))


def _record(db: Any, who: Any, body: FeedbackCreate) -> dict[str, Any]:
    with write_transaction(db):
        return record_feedback(db, who, body)[1]


@router.get("/web/referrals/{ref_id}/feedback")
def feedback_in_person(request: Request, ref_id: str, person: Caseworker) -> Response:
    return _form(request, f"/web/referrals/{ref_id}/feedback")


@router.post("/web/referrals/{ref_id}/feedback")
def give_feedback_in_person(
    request: Request,
    ref_id: str,
    person: Caseworker,
    need_met: Annotated[str, Form(max_length=16)] = "",
    satisfaction: Annotated[str, Form(max_length=4)] = "",
    would_recommend: Annotated[str, Form(max_length=8)] = "",
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    values = {"need_met": need_met, "satisfaction": satisfaction, "would_recommend": would_recommend, "text": text}
    body, invalid = _body(need_met, satisfaction, would_recommend, text, referral_id=ref_id)
    if invalid is not None or body is None:
        return _form(request, f"/web/referrals/{ref_id}/feedback", error=invalid, values=values)
    with request.app.state.freechoice.db.session() as db:
        try:
            call(_record, db, person.principal, body)
        except Refused as refused:
            if refused.status == 404:
                raise WebError(404, N_("There is no such referral.")) from refused
            return _form(request, f"/web/referrals/{ref_id}/feedback", error=refused, values=values)
    request.app.state.freechoice.invalidate_quality()
    return PAGES.render(
        request,
        "feedback_done.html",
        {"back": f"/web/referrals/{ref_id}"},
        status=201,
        client_lang=client_language(request),
    )
