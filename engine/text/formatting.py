"""Numbers, money, dates, and language and place names as a person reads them in a language.

CLDR (through Babel) names languages, countries and currencies in the reader's
language; pycountry's English names stand in where CLDR has none. A code is never
returned: an unknown language or country comes back as "" so the caller says so in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.lists import format_list
from babel.numbers import format_decimal, get_currency_name

__all__ = [
    "country_display_name",
    "format_date",
    "format_list_of",
    "format_money",
    "format_number",
    "language_display_name",
]


@lru_cache(maxsize=16)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_number(value: int | float | Decimal, lang: str, *, decimals: int = 0) -> str:
    """``value`` with the locale's grouping (``9000`` -> ``"9,000"``; in Lao ``"9.000"``)."""
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals))
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(amount, format=fmt, locale=_locale(lang))


def format_money(amount: int | float | Decimal, currency: str, lang: str) -> str:
    """An amount with its currency named in words in ``lang`` (exact: Decimal, no binary rounding).

    ``format_money(9000, "THB", "en")`` -> ``"9,000 Thai baht"``; the ISO code never shows.
    """
    exact = Decimal(str(amount))
    decimals = 0 if exact == exact.to_integral_value() else 2
    name = get_currency_name(currency, count=int(exact), locale=_locale(lang)) if currency else ""
    if name == currency:  # CLDR does not know it: say "money" rather than show a code
        name = ""
    number = format_number(exact, lang, decimals=decimals)
    return f"{number} {name}".strip()


def format_date(value: dt.date | str, lang: str) -> str:
    """A date in the locale's long form (``2026-01-05`` -> ``"January 5, 2026"``)."""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return _babel_format_date(day, format="long", locale=_locale(lang))


def format_list_of(items: Iterable[str], lang: str) -> str:
    """``["a", "b", "c"]`` -> ``"a, b, and c"`` in the locale's way."""
    seq = [i for i in items if i]
    return format_list(seq, locale=_locale(lang)) if seq else ""


@lru_cache(maxsize=1024)
def language_display_name(code: str, lang: str) -> str:
    """The name of language ``code`` in ``lang`` (CLDR; pycountry's English name when CLDR lacks it)."""
    base = code.replace("_", "-").split("-")[0].lower()
    name = _locale(lang).languages.get(base)
    if name:
        return str(name)
    found = pycountry.languages.get(alpha_2=base) if len(base) == 2 else pycountry.languages.get(alpha_3=base)
    if found is None:
        return ""
    return str(getattr(found, "common_name", None) or found.name).removesuffix(" (macrolanguage)")


@lru_cache(maxsize=1024)
def country_display_name(code: str, lang: str) -> str:
    """The name of country ``code`` (ISO 3166 alpha-2) in ``lang``; "" when unknown."""
    name = _locale(lang).territories.get(code.upper())
    if name:
        return str(name)
    found = pycountry.countries.get(alpha_2=code.upper())
    return str(getattr(found, "common_name", None) or found.name) if found is not None else ""
