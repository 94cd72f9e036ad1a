"""Who is signed in, what they may open, and the CSRF check every form passes.

* The session cookie (``fc_session``) is HttpOnly, SameSite=Lax, and Secure when the
  request came over https (setting ``secure_cookies``); it names a server-side session
  (:mod:`.accounts`), so signing out or a password reset ends it at once.
* :data:`CurrentPerson` is the signed-in person (not signed in: a redirect to the
  sign-in page); :func:`require_person` also checks the role (else 403).
* :func:`csrf_protect` runs before every page route: a POST (PUT, PATCH, DELETE) must
  carry the form field ``csrf_token`` equal to the session's token, or before signing in
  to the ``fc_csrf`` cookie's (the sign-in form); anything else is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .accounts import Person, person_for_session
from .i18n import N_

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CurrentPerson",
    "LoginRequired",
    "SESSION_COOKIE",
    "WebError",
    "anonymous_csrf",
    "cookie_secure",
    "csrf_protect",
    "current_person",
    "optional_person",
    "require_person",
]

SESSION_COOKIE = "fc_session"
CSRF_COOKIE = "fc_csrf"
CSRF_FIELD = "csrf_token"
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class WebError(Exception):
    """Raise in a page route to answer with an error page (404 for another
    organisation's objects, as the API does; 403 for a missing CSRF token or role)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class LoginRequired(Exception):
    """Not signed in: the handler redirects to the sign-in page, then back."""


def cookie_secure(request: Request) -> bool:
    mode = request.app.state.freechoice.settings.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def _lookup(request: Request) -> Person | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with request.app.state.freechoice.db.session() as s:
        return person_for_session(s, token)


async def optional_person(request: Request) -> Person | None:
    """The signed-in person, or None (looked up once per request)."""
    if not hasattr(request.state, "web_person"):
        request.state.web_person = await run_in_threadpool(_lookup, request)
    person: Person | None = request.state.web_person
    return person


async def current_person(request: Request) -> Person:
    person = await optional_person(request)
    if person is None:
        raise LoginRequired()
    return person


CurrentPerson = Annotated[Person, Depends(current_person)]


def require_person(*roles: str) -> Callable[..., Any]:
    """A dependency: the signed-in person, who must have one of ``roles`` (else 403)."""

    async def check(person: CurrentPerson) -> Person:
        if person.role not in roles:
            raise WebError(403, N_("This page is not for your role."))
        return person

    return check


def anonymous_csrf(request: Request, response: Response | None = None) -> str:
    """The CSRF token of a browser not signed in (the ``fc_csrf`` cookie's), made and
    set on ``response`` when it has none yet."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    if response is not None and request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=cookie_secure(request), path="/")
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request whose form lacks the right ``csrf_token``."""
    if request.method not in _UNSAFE:
        return
    try:
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    except Exception:  # not a form at all: no token either
        sent = None
    person = await optional_person(request)
    expected = person.csrf_token if person is not None else request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise WebError(
            403,
            N_(
                "This form was not accepted: it has expired or did not come from this site. "
                "Go back, reload the page and send it again."
            ),
        )
