"""The caseworker's workspace: server-rendered pages on the same data and rules as the API.

Pages live under ``/web/`` (assets under ``/web/static/``, served by the app: no CDN),
work without JavaScript, and fit a 360 px phone. People sign in with their own account
(:mod:`.accounts`); every action is audited under their id.

How to add a page
-----------------
1. Write ``api/web/<name>.py`` with ``router = APIRouter()`` and routes under ``/web/...``.
   Take the person with a dependency: ``person: CurrentPerson`` (any signed-in person)
   or ``Caseworker`` / ``PartnerStaff`` / ``Manager`` / ``Admin`` from :mod:`.deps`
   (a wrong role gets 403, nobody signed in is sent to the sign-in page).
2. Render with ``PAGES.render(request, "<name>.html", {...})``; the template extends
   ``base.html`` and fills ``{% block title %}`` and ``{% block main %}``. Every word goes
   through ``{{ _("...") }}`` or ``{% trans %}...{% endtrans %}`` (``c_`` for words the
   client reads, rendered with ``client_lang=``); messages defined in Python are marked
   with ``N_`` from :mod:`.i18n` and translated where they are shown.
3. Every form with ``method="post"`` contains ``{{ csrf_field() }}``: the router-wide
   :func:`.security.csrf_protect` refuses a POST without the token (403).
4. Another organisation's object: ``raise WebError(404, N_("..."))``, as the API answers.
   Read and write client data through the same library functions as the API routes,
   and audit with ``person.principal`` (:func:`freechoice.api.records.audit`).
5. Add the module's router to :data:`ROUTERS` below and its menu line to
   :data:`.nav.NAV_LINKS`; add a browser test in ``tests/web/``.
"""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse, Response

from . import (
    auth_pages,
    cash_pages,
    choice,
    dashboard,
    donor_pages,
    feedback_pages,
    followup_pages,
    intake,
    options,
    people,
    portal,
    referral_pages,
)
from .deps import PAGES
from .i18n import N_
from .security import LoginRequired, WebError, csrf_protect

__all__ = ["ROUTERS", "install_web"]

ROUTERS: list[APIRouter] = [
    auth_pages.router,
    intake.router,
    options.router,
    choice.router,
    people.router,
    referral_pages.router,
    feedback_pages.router,
    portal.router,
    dashboard.router,
    cash_pages.router,
    followup_pages.router,
    donor_pages.router,
]

_TITLES = {
    403: N_("Not allowed"),
    404: N_("Not found"),
    422: N_("Please check the form"),
    429: N_("Too many tries"),
}


def _pages() -> APIRouter:
    web = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)
    for router in ROUTERS:
        web.include_router(router)
    # FastAPI works out each route's dependencies with the router's (the CSRF check) the
    # first time the router is included in an app, and keeps them on the route: done here
    FastAPI().include_router(web)
    return web


# every page with the CSRF check, built as this module is imported (by ``serve`` once,
# before it forks its workers), not again for each app
_PAGES = _pages()


def install_web(app: FastAPI) -> None:
    """Mount the pages, their assets and their error handling on ``app``."""
    app.include_router(_PAGES)
    app.mount("/web/static", StaticFiles(directory=str(files(__package__) / "static")), name="web-static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/web/login?next={quote(here, safe='/')}", status_code=303)

    @app.exception_handler(WebError)
    async def _error(request: Request, err: WebError) -> Response:
        title = _TITLES.get(err.status, N_("Something went wrong"))
        return PAGES.render(request, "error.html", {"title": title, "message": err.message}, status=err.status)
