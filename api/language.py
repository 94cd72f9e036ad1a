"""The language a list is rendered in for a person: ``?lang=`` when given, else the
request's ``Accept-Language`` negotiated against the shipped catalogs, else English.

Routes that render words for a client take ``lang: ClientLanguage`` and answer with
:func:`language_headers` (``Content-Language``, ``Vary: Accept-Language`` and how the
translation was made and reviewed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from freechoice.catalog import Problem, ValidationFailed
from freechoice.engine.text import LANGUAGES, catalog_status, negotiate

__all__ = ["ClientLanguage", "client_language", "language_headers"]


def client_language(
    request: Request,
    lang: Annotated[
        str | None,
        Query(
            max_length=16,
            description="The client's language: en, my (Burmese), th (Thai), km (Khmer) or lo (Lao). "
            "Without it the Accept-Language header decides (English when nothing fits).",
        ),
    ] = None,
) -> str:
    """The negotiated language code (one of ``LANGUAGES``)."""
    if lang is not None:
        code = lang.replace("_", "-").split("-")[0].lower()
        if code not in LANGUAGES:
            raise ValidationFailed([Problem("lang", "unknown language", list(LANGUAGES), lang)], what="query")
        return code
    return negotiate(request.headers.get("accept-language"))


ClientLanguage = Annotated[str, Depends(client_language)]


def language_headers(lang: str) -> dict[str, str]:
    """Response headers saying which language a rendering is in and how it was translated."""
    status = catalog_status(lang)
    return {
        "Content-Language": lang,
        "Vary": "Accept-Language",
        "Translation-Made-By": status.made_by,
        "Translation-Review": status.review_status,
    }
