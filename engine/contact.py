"""The contact card of an option: how a client reaches it, as data and in their language.

Built from the option and, when given, the catalog record of its service (phone,
address, opening hours, what to bring, who the client meets, who learns about them).
A fact the catalog does not have is ``None``: the view says so in words rather than
leaving it out. Every string is ready to show in ``lang``; names of services, places
and partners' own notes stay as the partner wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from babel.dates import format_time, get_day_names

from freechoice.catalog import Catalog, Service

from .options import Option
from .predicates import contact_parties
from .text import N_, country_display_name, format_list_of, format_money, language_display_name, translator
from .text.terms import TERMS

__all__ = ["CONTACT_TEXTS", "ContactCard", "contact_card"]

CONTACT_TEXTS = {
    "remote": N_("by phone or online"),
    "remote-in": N_("by phone or online, in {countries}"),
    "free": N_("free"),
    "fees": N_("there is a fee; ask how much"),
    "staff-only": N_("only the staff of this service"),
    "the-party": N_("the {party}"),
    "nobody": N_("nobody outside this service"),
    "with-consent": N_("only if you agree: {parties}"),
    "must-report": N_("this service must tell {parties}"),
    "hours": N_("{days}: {opens} to {closes}"),
    "every-day": N_("every day"),
    "open-until": N_("open until {date}"),
}

_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True, slots=True)
class ContactCard:
    """How to reach one option, in ``language``; ``None`` means the catalog does not say."""

    language: str
    service_name: str
    provider_name: str
    phone: str | None
    email: str | None
    website: str | None
    where: str | None
    opening_hours: tuple[str, ...] | None
    bring: tuple[str, ...] | None
    cost: str | None
    staff_speak: tuple[str, ...] | None
    will_meet: str | None
    who_learns: str | None


def _where(o: Option, svc: Service | None, lang: str) -> str | None:
    t = translator(lang)
    loc = o.location
    if o.remote:
        countries = dict.fromkeys(
            country_display_name(a["country"], lang) for a in loc.get("service_areas", []) if a.get("country")
        )
        if countries:
            return t.gettext(CONTACT_TEXTS["remote-in"]).format(countries=format_list_of(countries, lang))
        return t.gettext(CONTACT_TEXTS["remote"])
    place = svc.location if svc is not None else None
    bits = [
        place.address_1 if place is not None else None,
        loc.get("city") or loc.get("area"),
        country_display_name(loc["country"], lang) if loc.get("country") else None,
    ]
    if not any(bits) and loc.get("service_areas"):
        a = loc["service_areas"][0]
        bits = [a.get("area"), country_display_name(a["country"], lang) if a.get("country") else None]
    found = [b for b in bits if b]
    return ", ".join(found) if found else None


def _hours(svc: Service, lang: str) -> tuple[str, ...] | None:
    t = translator(lang)
    names = get_day_names("wide", locale=lang)
    out = []
    for s in svc.schedules:
        if s.opens_at is not None and s.closes_at is not None:
            codes = [d.strip() for d in (s.byday or "").split(",") if d.strip() in _DAYS]
            days = format_list_of([str(names[_DAYS[c]]) for c in codes], lang) or t.gettext(CONTACT_TEXTS["every-day"])
            out.append(
                t.gettext(CONTACT_TEXTS["hours"]).format(
                    days=days,
                    opens=format_time(s.opens_at, "short", locale=lang),
                    closes=format_time(s.closes_at, "short", locale=lang),
                )
            )
        elif s.description:
            out.append(s.description)
    return tuple(out) or None


def _cost(o: Option, lang: str) -> str | None:
    t = translator(lang)
    if not o.cost:
        return None
    if o.cost.get("free", True):
        return t.gettext(CONTACT_TEXTS["free"])
    parts = [
        format_money(c["amount"], c.get("currency") or "", lang) for c in o.cost.get("options", []) if c.get("amount")
    ]
    return "; ".join(parts) or t.gettext(CONTACT_TEXTS["fees"])


def _parties(parties: Iterable[str], lang: str) -> str:
    t = translator(lang)
    return format_list_of(
        [t.gettext(CONTACT_TEXTS["the-party"]).format(party=t.gettext(TERMS[p])) for p in sorted(parties)], lang
    )


def _who_learns(svc: Service, lang: str) -> str:
    t = translator(lang)
    if svc.reports_to_authorities == "mandatory":
        return t.gettext(CONTACT_TEXTS["must-report"]).format(parties=_parties(svc.reports_to, lang))
    if svc.reports_to_authorities == "with_consent":
        return t.gettext(CONTACT_TEXTS["with-consent"]).format(parties=_parties(svc.reports_to, lang))
    return t.gettext(CONTACT_TEXTS["nobody"])


def contact_card(option: Option, catalog: Catalog | None = None, lang: str = "en") -> ContactCard:
    """The contact card of ``option`` in ``lang`` (facts from ``catalog`` when given)."""
    t = translator(lang)
    lang = t.language
    svc = catalog.get(option.service_id) if catalog is not None else None
    org = catalog.organization(svc.organization_id) if catalog is not None and svc is not None else None
    phone = (svc.phone if svc is not None else None) or (org.phone if org is not None else None)
    email = (svc.email if svc is not None else None) or (org.email if org is not None else None)
    website = (svc.url if svc is not None else None) or (org.website if org is not None else None)
    bring: tuple[str, ...] | None = None
    if svc is not None:
        docs = [d.document for d in svc.required_documents] or [
            t.gettext(TERMS[c]) for c in svc.eligibility.documents_required if c in TERMS
        ]
        bring = tuple(docs)
    meet = None
    if svc is not None:
        parties = contact_parties(svc)
        meet = _parties(parties, lang) if parties else t.gettext(CONTACT_TEXTS["staff-only"])
    languages = tuple(n for n in (language_display_name(c, lang) for c in option.languages) if n) or None
    return ContactCard(
        language=lang,
        service_name=option.service_name,
        provider_name=option.provider_name,
        phone=phone,
        email=email,
        website=str(website) if website else None,
        where=_where(option, svc, lang),
        opening_hours=_hours(svc, lang) if svc is not None else None,
        bring=bring,
        cost=_cost(option, lang),
        staff_speak=languages,
        will_meet=meet,
        who_learns=_who_learns(svc, lang) if svc is not None else None,
    )
