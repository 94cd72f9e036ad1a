"""Choosing the language from an HTTP ``Accept-Language`` header."""

from __future__ import annotations

from collections.abc import Sequence

from babel import negotiate_locale

from .catalogs import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["negotiate", "parse_accept_language"]


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            weighted.append((-q, i, tag.replace("_", "-")))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None, available: Sequence[str] = LANGUAGES) -> str:
    """The best of ``available`` for an ``Accept-Language`` header; English when none fits.

    ``"my-MM,my;q=0.9,en;q=0.5"`` -> ``"my"``; a region falls back to its language.
    """
    preferred = parse_accept_language(header)
    found = negotiate_locale(preferred, list(available), sep="-")
    if found is None:
        # "th-TH" is not in the list as such: try the bare language of each tag in turn
        found = negotiate_locale([t.split("-")[0] for t in preferred], list(available), sep="-")
    return found or DEFAULT_LANGUAGE
