"""ISO code checks (countries ISO 3166-1 alpha-2, languages ISO 639-1 or 639-3)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field

__all__ = [
    "CountryCode",
    "LanguageCode",
    "check_country",
    "check_language",
    "country_codes",
    "language_codes",
    "normalise_area",
]


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    codes = {lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    codes |= {lang.alpha_3 for lang in pycountry.languages if not hasattr(lang, "alpha_2")}
    return frozenset(codes)


def check_country(code: str) -> str:
    """Return ``code`` if it is an ISO 3166-1 alpha-2 country code, else raise ValueError."""
    if code not in country_codes():
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code (e.g. TH, MM, KH, LA)")
    return code


def check_language(code: str) -> str:
    """Return ``code`` if it is ISO 639-1 (or 639-3 where no 639-1 exists), else raise ValueError."""
    if code not in language_codes():
        raise ValueError(
            f"'{code}' is not an ISO 639-1 language code (or 639-3 where none exists), e.g. my, th, km, lo, en"
        )
    return code


def normalise_area(area: str | None) -> str | None:
    """Areas compare case-insensitively after Unicode NFC normalisation."""
    if area is None:
        return None
    return _normalised(area)


@lru_cache(maxsize=8192)  # a country has few areas; matching asks for them again and again
def _normalised(area: str) -> str | None:
    return unicodedata.normalize("NFC", area).strip().casefold() or None


# the length bound keeps a huge string out of the lookup and the message (declared in the schema)
CountryCode = Annotated[str, Field(max_length=8), AfterValidator(check_country)]
LanguageCode = Annotated[str, Field(max_length=16), AfterValidator(check_language)]
