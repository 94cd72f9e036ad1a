"""The intake form: its fields in plain words, the form as typed <-> an assessment, and
the assessment's problems placed next to the fields they belong to.

No logic of its own about needs or situations: :func:`freechoice.engine.parse_assessment`
decides what is valid, exactly as for the API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pycountry

from freechoice.catalog import NEEDS, Problem
from freechoice.catalog.taxonomy import DOCUMENT_STATUSES, PARTIES, PLANS, WORK_LIMITS
from freechoice.engine.text import country_display_name, language_display_name

from .i18n import N_

__all__ = [
    "CLIENT_LANGUAGES",
    "COUNTRIES",
    "DOCUMENT_TEXT",
    "FIELD_LABELS",
    "FORM_LANGUAGE_SLOTS",
    "LEGAL_TEXT",
    "PARTY_TEXT",
    "PLAN_TEXT",
    "WORK_LIMIT_TEXT",
    "assessment_of",
    "client_languages_in",
    "countries_in",
    "field_errors",
    "form_of",
]

PLAN_TEXT = {
    "stay": N_("Stay where they are now"),
    "return_home": N_("Go back home"),
    "move_elsewhere": N_("Move somewhere else"),
    "undecided": N_("Not decided yet"),
}
DOCUMENT_TEXT = {
    "valid": N_("Has valid documents"),
    "expired": N_("Documents have expired"),
    "lost": N_("Documents are lost"),
    "confiscated": N_("Someone took the documents"),
    "fraudulent": N_("Documents are false"),
    "none": N_("Has no documents"),
}
PARTY_TEXT = {
    "police": N_("the police"),
    "immigration": N_("immigration officers"),
    "employer": N_("the employer who exploited them"),
    "broker": N_("the broker or recruiter"),
    "suspect": N_("a suspect in a court case"),
}
WORK_LIMIT_TEXT = {
    "light_work_only": N_("Light work only"),
    "no_night_work": N_("No night work"),
    "no_sea_work": N_("No work at sea"),
    "part_time_only": N_("Part-time only"),
}
LEGAL_TEXT = {
    "wage_claim": N_("Claim unpaid wages"),
    "criminal_case": N_("Take part in a criminal case"),
}
assert set(PLAN_TEXT) == set(PLANS) and set(DOCUMENT_TEXT) == set(DOCUMENT_STATUSES)
assert set(PARTY_TEXT) == set(PARTIES) and set(WORK_LIMIT_TEXT) == set(WORK_LIMITS)

#: languages a client may speak, by their own name (ISO 639-1)
CLIENT_LANGUAGES = {
    "my": "မြန်မာ (Burmese)",
    "km": "ខ្មែរ (Khmer)",
    "th": "ไทย (Thai)",
    "lo": "ລາວ (Lao)",
    "vi": "Tiếng Việt (Vietnamese)",
    "en": "English",
    "id": "Bahasa Indonesia",
    "tl": "Tagalog",
    "ne": "नेपाली (Nepali)",
    "bn": "বাংলা (Bengali)",
    "zh": "中文 (Chinese)",
    "ms": "Bahasa Melayu (Malay)",
    "hi": "हिन्दी (Hindi)",
    "ur": "اردو (Urdu)",
    "si": "සිංහල (Sinhala)",
    "ta": "தமிழ் (Tamil)",
}
FORM_LANGUAGE_SLOTS = 3


def client_languages_in(lang: str) -> dict[str, str]:
    """The languages a client may speak, each by its own name and, in brackets, its
    name in ``lang`` (the user's language) when that differs."""
    out = {}
    for code, label in CLIENT_LANGUAGES.items():
        own = label.split(" (", 1)[0]
        there = language_display_name(code, lang)
        out[code] = own if not there or there == own else f"{own} ({there})"
    return out


COUNTRIES = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


def countries_in(lang: str) -> list[tuple[str, str]]:
    """Every country as ``(code, name in lang)``, in the order of their names."""
    named = [(code, country_display_name(code, lang) or name) for code, name in COUNTRIES]
    return sorted(named, key=lambda c: c[1])


#: the form's fields by the words their labels show (for the list of problems at the top)
FIELD_LABELS = {
    "client_ref": N_("Case reference"),
    "languages": N_("Languages"),
    "needs": N_("Needs"),
    "location_country": N_("Country now"),
    "location_area": N_("Province or area"),
    "plan": N_("Where next"),
    "intended_country": N_("Country they want to go to"),
    "intended_area": N_("Province or area there"),
    "nationality": N_("Nationality"),
    "gender": N_("Gender"),
    "age": N_("Age"),
    "documents": N_("Identity documents"),
    "no_contact_with": N_("No contact with"),
    "fears": N_("Afraid of"),
    "work_limits": N_("Work limits"),
    "legal_interest": N_("Going to law"),
    "form": N_("The form"),
    **{f"need_{nid}": need.label for nid, need in NEEDS.items()},
}

_LIST_FIELDS = ("no_contact_with", "fears", "work_limits", "legal_interest")


def form_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The form as typed, kept as a draft: text stripped, lists as lists, unknown
    fields dropped. ``raw`` is a multi-dict (``getlist``) or a plain mapping."""

    def one(name: str) -> str:
        value = raw.get(name)
        return value.strip()[:200] if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        values = raw.getlist(name) if hasattr(raw, "getlist") else raw.get(name) or []
        return [v for v in values if isinstance(v, str)][:20]

    form: dict[str, Any] = {
        name: one(name)
        for name in (
            "client_ref",
            "location_country",
            "location_area",
            "plan",
            "intended_country",
            "intended_area",
            "nationality",
            "gender",
            "age",
            "documents",
        )
    }
    form["languages"] = [one(f"language_{i}") for i in range(1, FORM_LANGUAGE_SLOTS + 1)]
    form["needs"] = {nid: one(f"need_{nid}") for nid in NEEDS if one(f"need_{nid}") in ("1", "2", "3", "4")}
    for name in _LIST_FIELDS:
        form[name] = many(name)
    return form


def assessment_of(form: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment the form describes (validated afterwards by ``parse_assessment``)."""
    situation: dict[str, Any] = {"location": {"country": form.get("location_country", "")}}
    if form.get("location_area"):
        situation["location"]["area"] = form["location_area"]
    if form.get("plan"):
        situation["plan"] = form["plan"]
    if form.get("intended_country"):
        situation["intended_location"] = {"country": form["intended_country"]}
        if form.get("intended_area"):
            situation["intended_location"]["area"] = form["intended_area"]
    if form.get("nationality"):
        situation["nationality"] = form["nationality"]
    situation["languages"] = list(dict.fromkeys(code for code in form.get("languages", []) if code))
    if form.get("gender"):
        situation["gender"] = form["gender"]
    age = form.get("age") or ""
    if age:
        situation["age"] = int(age) if re.fullmatch(r"\d{1,3}", age) else age
    if form.get("documents"):
        situation["documents"] = form["documents"]
    for name in _LIST_FIELDS:
        situation[name] = list(dict.fromkeys(form.get(name, [])))
    return {
        "client_ref": form.get("client_ref", ""),
        "needs": {nid: int(p) for nid, p in form.get("needs", {}).items()},
        "situation": situation,
    }


_FIELD_OF = {
    "situation.location.country": "location_country",
    "situation.location.area": "location_area",
    "situation.location": "location_country",
    "situation.intended_location": "intended_country",
    "situation.intended_location.country": "intended_country",
    "situation.intended_location.area": "intended_area",
    "situation.plan": "plan",
    "situation.nationality": "nationality",
    "situation.gender": "gender",
    "situation.age": "age",
    "situation.documents": "documents",
    "needs": "needs",
    "client_ref": "client_ref",
}


def field_errors(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Each problem under the form field it belongs to (``need_<id>``, ``languages``,
    ``location_country``, ...; ``form`` for what belongs to no one field)."""
    out: dict[str, list[Problem]] = {}
    for p in problems:
        path = p.field
        if path.startswith("needs."):
            name = "need_" + path.split(".", 1)[1]
        elif path.startswith("situation.languages"):
            name = "languages"
        elif any(path.startswith(f"situation.{f}") for f in _LIST_FIELDS):
            name = path.split(".")[1].split("[")[0]
        else:
            name = _FIELD_OF.get(path, "form")
        out.setdefault(name, []).append(p)
    return out
