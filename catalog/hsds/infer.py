"""What can be inferred from HSDS records of other directories (no freechoice taxonomy):
service kinds from taxonomy terms and words, countries and areas from names, language
codes from tags and names, document codes from document names.

Every guess here is reported by the import (``HsdsImport.inferred``) so a person can
check it; nothing is guessed where no rule matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from ..codes import country_codes, language_codes
from ..taxonomy import SERVICE_KIND_IDS

__all__ = ["KEYWORDS", "country_code", "document_code", "kind_from_text", "language_code", "place_from_name"]

#: (word, kind), most specific first: a word matches at the start of a word in the text
#: ("wage" matches "wages", "grant" does not match "migrant"), and the first match
#: wins (so a "legal clinic" is legal aid, not health care).
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("child protection", "protection.child"),
    ("victim visa", "documents.legal_stay"),
    ("regularis", "documents.legal_stay"),
    ("regulariz", "documents.legal_stay"),
    ("legal stay", "documents.legal_stay"),
    ("confiscated", "documents.recovery"),
    ("documents back", "documents.recovery"),
    ("return travel", "return.travel_reception"),
    ("reception on arrival", "return.travel_reception"),
    ("travel home", "return.travel_reception"),
    ("wage", "legal_aid.wage_claim"),
    ("unpaid", "legal_aid.wage_claim"),
    ("labour court", "legal_aid.labour_court"),
    ("labor court", "legal_aid.labour_court"),
    ("criminal", "legal_aid.criminal_case"),
    ("prosecution", "legal_aid.criminal_case"),
    ("legal", "legal_aid.information"),
    ("paralegal", "legal_aid.information"),
    ("lawyer", "legal_aid.information"),
    ("passport", "documents.identity"),
    ("identity", "documents.identity"),
    ("id card", "documents.identity"),
    ("work permit", "documents.work_permit"),
    ("police report", "documents.police_report"),
    ("shelter", "housing.shelter"),
    ("safe house", "housing.shelter"),
    ("housing", "housing.rental_support"),
    ("rent", "housing.rental_support"),
    ("food", "food.meals"),
    ("meal", "food.meals"),
    ("pantr", "food.meals"),
    ("kitchen", "food.meals"),
    ("hospital", "health.hospital"),
    ("clinic", "health.primary_care"),
    ("medical", "health.primary_care"),
    ("health care", "health.primary_care"),
    ("counsel", "health.psychosocial"),
    ("mental", "health.psychosocial"),
    ("psycho", "health.psychosocial"),
    ("trauma", "health.psychosocial"),
    ("hotline", "safety.hotline"),
    ("helpline", "safety.hotline"),
    ("protection", "safety.protection"),
    ("debt", "financial.debt_advice"),
    ("cash", "financial.emergency_grant"),
    ("emergency fund", "financial.emergency_grant"),
    ("school", "education.school_enrolment"),
    ("vocational", "training.vocational"),
    ("job training", "training.vocational"),
    ("skills training", "training.vocational"),
    ("life skill", "training.life_skills"),
    ("job placement", "job_placement.self_employment_support"),
    ("small business", "job_placement.self_employment_support"),
    ("family tracing", "family.tracing"),
    ("reunification", "family.tracing"),
    ("family contact", "family.contact_support"),
)
_PATTERNS = tuple((re.compile(rf"\b{re.escape(word)}", re.IGNORECASE), kind) for word, kind in KEYWORDS)
assert all(kind in SERVICE_KIND_IDS for _, kind in KEYWORDS)

_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("passport", "passport"),
    ("id card", "id_card"),
    ("identity", "id_card"),
    ("identification", "id_card"),
    ("work permit", "work_permit"),
    ("police", "police_report"),
    ("birth", "birth_certificate"),
)


def kind_from_text(text: str) -> tuple[str, str] | None:
    """(kind, word) for the first keyword found at the start of a word in ``text``, or None.

    >>> kind_from_text("Migrant workers' unpaid wages legal clinic")
    ('legal_aid.wage_claim', 'wage')
    >>> kind_from_text("Migrant and parent support") is None
    True
    """
    for (word, kind), (pattern, _) in zip(KEYWORDS, _PATTERNS):
        if pattern.search(text):
            return kind, word
    return None


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code or a country name, or None.

    >>> country_code("th"), country_code("MMR"), country_code("Cambodia"), country_code("Atlantis")
    ('TH', 'MM', 'KH', None)
    """
    text = value.strip()
    if text.upper() in country_codes():
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


@lru_cache(maxsize=4096)
def place_from_name(name: str, country: str | None = None) -> tuple[str, str | None] | None:
    """(country, area) for a service-area name: a country ("Thailand" -> whole country),
    a province or region ("Songkhla" -> TH, Songkhla), or, when the service's country
    is known, an area of that country by its given name. None if nothing fits.

    >>> place_from_name("Myanmar"), place_from_name("Songkhla"), place_from_name("Mae Sot district", "TH")
    (('MM', None), ('TH', 'Songkhla'), ('TH', 'Mae Sot district'))
    """
    text = name.strip()
    if not text:
        return None
    whole = country_code(text)
    if whole is not None:
        return whole, None
    try:
        sub = pycountry.subdivisions.lookup(text)
        if country is None or sub.country_code == country:
            return str(sub.country_code), str(sub.name)
    except LookupError:
        pass
    return (country, text) if country else None


@lru_cache(maxsize=4096)
def language_code(code: str | None, name: str | None = None) -> str | None:
    """An ISO 639-1 code (639-3 where none exists) from a tag ("en-US"), a 639-2/3 code
    ("bur", "mya") or a language name ("Burmese"); None if nothing fits.

    >>> language_code("en-US"), language_code("bur"), language_code(None, "Burmese"), language_code("shn")
    ('en', 'my', 'my', 'shn')
    """
    if code:
        primary = re.split(r"[-_]", code.strip())[0].lower()
        if primary in language_codes():
            return primary
        for key in ("alpha_3", "bibliographic"):
            lang = pycountry.languages.get(**{key: primary})
            if lang is not None:
                return str(getattr(lang, "alpha_2", None) or lang.alpha_3)
    if name:
        try:
            lang = pycountry.languages.lookup(name.strip())
        except LookupError:
            return None
        return str(getattr(lang, "alpha_2", None) or lang.alpha_3)
    return None


def document_code(document: str) -> str:
    """The freechoice document code for a document's name ("other" if none fits).

    >>> document_code("Copy of passport"), document_code("Tenancy agreement")
    ('passport', 'other')
    """
    low = document.lower()
    for word, code in _DOCUMENTS:
        if word in low:
            return code
    return "other"
