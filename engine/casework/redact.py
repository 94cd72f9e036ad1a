"""Strip identifying details from case notes before they leave the programme.

Removed: e-mail addresses, phone numbers, ID numbers (any token with five or more
digits: passport, ID card, bank or wallet numbers), and names and places below
province: any capitalised word that is not a country, a province (ISO 3166-2
subdivision) of the region's countries or a word in :data:`KEEP_WORDS`. A capitalised
word starting a sentence is removed too unless it is a common word or is written in
lower case elsewhere in the note: it is better to lose a word than to leak a name.

Text mostly in a script without capital letters (Burmese, Thai, Khmer, Lao) cannot
be checked for names this way; it is withheld, never passed on unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pycountry

__all__ = ["KEEP_WORDS", "REGION", "WITHHELD", "redact"]

#: countries whose provinces may be named in an export
REGION: tuple[str, ...] = ("TH", "MM", "KH", "LA", "VN", "MY")
WITHHELD = "[note withheld: not in a script that can be checked for names]"

KEEP_WORDS = frozenset(
    """I I'm I've I'd A An The This That These Those He She They We You It His Her Their Our My Your Its
    Client Caseworker Programme Program Cash Transfer Transfers Plan Follow Referral Service Provider
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Bangkok Thai Burmese Myanmar Khmer Lao Cambodian Laotian
    And But Or So If When After Before Now Then Still Also Not No Yes Paid Spent Says Said Wants Would
    Has Had Have Is Was Are Were Will Can Could Should Got Gets Went Goes Made Makes Found Needs Need
    Met Meets Partly Helped Asked Told Bought Took Started Moved Lives Works Passport ID Card Phone Email""".split()
)
_COMMON = frozenset(w.lower() for w in KEEP_WORDS)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{5,}\d(?!\w)")
_ID = re.compile(r"(?<!\w)(?=[\w-]*(?:\d[\w-]*){5})[A-Za-z0-9][\w-]*(?!\w)")
_CAP_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]\s*|[\"“(]\s*)$")


@lru_cache(maxsize=1)
def _places() -> frozenset[tuple[str, ...]]:
    """Countries and provinces of the region, each as its sequence of words."""
    names: set[str] = {"Thailand", "Cambodia", "Laos", "Myanmar", "Burma", "Bangkok", "Viet Nam", "Vietnam"}
    for code in REGION:
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            names.add(country.name.split(",")[0])
        for sub in pycountry.subdivisions.get(country_code=code) or []:  # type: ignore[no-untyped-call]
            if sub.parent_code is None:
                names.add(sub.name)
                names.add(f"{sub.name} {sub.type}")
    return frozenset(tuple(n.split()) for n in names)


def _script_checkable(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    cased = sum(1 for c in letters if c.lower() != c.upper())
    return cased / len(letters) >= 0.6


def redact(text: str | None, *, keep: Iterable[str] = ()) -> str:
    """``text`` without names, places below province and identifiers.

    >>> redact("Met Ko Aung at the Mae Sot market; call +66 81 234 5678 or aung@example.org, ID 1-2345-67890.")
    'Met [name or place] at the [name or place] market; call [phone] or [email], ID [id number].'
    >>> redact("Paid rent in Songkhla, Thailand.")
    'Paid rent in Songkhla, Thailand.'
    """
    if not text:
        return ""
    if not _script_checkable(text):
        return WITHHELD
    allowed = KEEP_WORDS | frozenset(keep)
    places = _places()
    longest = max(len(p) for p in places)
    out = _EMAIL.sub("[email]", text)
    out = _ID.sub("[id number]", out)
    out = _PHONE.sub("[phone]", out)
    lower_words = {w for w in re.findall(r"\b[a-z][\w'’-]*", out)}

    def name_or_place(m: re.Match[str]) -> str:
        words = m.group(0).split()
        at_start = bool(_SENTENCE_START.search(out[: m.start()]))
        kept: list[str | None] = []
        i = 0
        while i < len(words):
            span = next((n for n in range(min(longest, len(words) - i), 0, -1) if tuple(words[i : i + n]) in places), 0)
            if span:  # a whole country or province name
                kept.extend(words[i : i + span])
                i += span
                continue
            w = words[i]
            bare = w[:-2] if w.endswith(("'s", "’s")) else w
            first = at_start and i == 0
            ok = bare in allowed or (first and (bare.lower() in _COMMON or bare.lower() in lower_words))
            kept.append(w if ok else None)
            i += 1
        pieces: list[str] = []
        for word in kept:
            if word is not None:
                pieces.append(word)
            elif not pieces or pieces[-1] != "[name or place]":
                pieces.append("[name or place]")
        return " ".join(pieces)

    return _CAP_RUN.sub(name_or_place, out)
