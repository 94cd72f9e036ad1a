"""Languages as a person reads them, and the list-level language caution (issue 9, item 10).

A client's ``languages`` are in their order of preference. A list made for a client
with no language recorded carries a caution: language fit was not checked.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

from .assessment import Assessment
from .options import Caution, built
from .text.markers import N_

__all__ = ["LANGUAGE_NOT_RECORDED", "language_cautions", "language_name"]

#: the list-level caution's rule id and text (words a client hears: kept as data here)
LANGUAGE_NOT_RECORDED = (
    "language-not-recorded",
    N_(
        "No language recorded. Ask which languages the client speaks, best first: services were not checked for a "
        "shared language or an interpreter."
    ),
)


@lru_cache(maxsize=512)
def language_name(code: str) -> str:
    """The English name of an ISO 639 code ("my" -> "Burmese"); the code itself when unknown."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return str(getattr(found, "common_name", None) or found.name).removesuffix(" (macrolanguage)")


def language_cautions(a: Assessment) -> list[Caution]:
    """Cautions about the whole list that come from the client's languages."""
    if a.situation.languages:
        return []
    rule, text = LANGUAGE_NOT_RECORDED
    return [built(Caution, {"rule": rule, "text": text})]
