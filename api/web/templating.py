"""Jinja2 for the pages: one environment, autoescaped, with ``jinja2.ext.i18n``.

Templates get ``_`` (the user's language), ``c_`` and ``{% trans %}`` blocks (the
client's language on pages shown to a client, given as ``client_lang=``; else the
user's), ``person``, ``csrf_token`` (put
``{{ csrf_field() }}`` in every form), ``lang``, ``languages`` and ``static()``.
The translation functions are passed per render, never installed on the environment:
two requests in different languages never share them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from .accounts import Person
from .i18n import LANGUAGE_NAMES, negotiate, translator
from .nav import links_for
from .security import CSRF_FIELD, anonymous_csrf

__all__ = ["LANG_COOKIE", "Pages", "user_language"]

LANG_COOKIE = "fc_lang"


def user_language(request: Request, person: Person | None) -> str:
    """The user's language: the switch's cookie, their account's, the browser's, English."""
    offered = request.app.state.freechoice.settings.web_languages
    return negotiate(
        [request.cookies.get(LANG_COOKIE), person.language if person else None, request.headers.get("accept-language")],
        offered,
    )


class Pages:
    """Renders the templates of ``freechoice.api.web``."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("freechoice.api.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status: int = 200,
        client_lang: str | None = None,
    ) -> HTMLResponse:
        person: Person | None = getattr(request.state, "web_person", None)
        t = translator(user_language(request, person))
        c = translator(client_lang or t.lang)
        lang = t.lang  # the language the words are in
        csrf = person.csrf_token if person is not None else anonymous_csrf(request)
        settings = request.app.state.freechoice.settings
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        values: dict[str, Any] = {
            "request": request,
            "person": person,
            "lang": lang,
            "client_lang": c.lang,
            "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in settings.web_languages],
            "language_names": LANGUAGE_NAMES,
            "here": quote(here, safe="/?=&"),
            "csrf_token": csrf,
            "csrf_field": lambda: Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf)}">'),
            "nav_links": links_for(person.role) if person is not None else [],
            "static": lambda path: f"/web/static/{path}",
            "_": t,
            # {% trans %} blocks speak to the client (the user's language when no client's is given)
            "gettext": c.gettext,
            "ngettext": c.ngettext,
            "c_": c,
            **(context or {}),
        }
        html = self.env.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status)
        if person is None:
            anonymous_csrf(request, response)
        # pages hold client data: never cached by a shared cache or kept by the browser
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        return response
