"""Facts of an option list put in words a person reads: places, languages and countries by
name, cost, the contact card, and what a consent field holds for this client.

Only presentation: what the options are, and why, comes from the stored option list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from freechoice.catalog import NEEDS, Catalog
from freechoice.engine.forward import country_name
from freechoice.engine.language import language_name
from freechoice.engine.options import Option
from freechoice.engine.render import job_line

from .i18n import N_
from .intake_form import DOCUMENT_TEXT, LEGAL_TEXT, PARTY_TEXT, PLAN_TEXT, WORK_LIMIT_TEXT

__all__ = ["ContactCard", "contact_card", "shared_value"]


@dataclass(frozen=True)
class ContactCard:
    """How the client reaches the service, for the option's card."""

    provider: str
    place: str  # the address; for a remote service, the countries it serves
    remote: bool = False
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    languages: list[str] = field(default_factory=list)
    availability: str = "open"
    available_until: str | None = None
    free: bool = True
    cost: str = ""
    job: str = ""


def _place(o: Option) -> str:
    loc = o.location
    if o.remote:
        return ", ".join(country_name(a.get("country", "")) for a in loc.get("service_areas", []))
    bits = [loc.get("address_1"), loc.get("city") or loc.get("area")]
    country = loc.get("country")
    if not any(bits) and loc.get("service_areas"):
        first = loc["service_areas"][0]
        bits, country = [first.get("area")], first.get("country")
    return ", ".join([b for b in bits if b] + ([country_name(country)] if country else []))


def _cost(o: Option) -> tuple[bool, str]:
    if o.cost.get("free", True):
        return True, ""
    parts = []
    for c in o.cost.get("options", []):
        if c.get("amount"):
            parts.append(f"{c['amount']:,.0f} {c.get('currency', '')}".strip())
        elif c.get("amount_description"):
            parts.append(str(c["amount_description"]))
    return False, "; ".join(parts)


def contact_card(o: Option, catalog: Catalog) -> ContactCard:
    """The option's contact card: the service's own phone, email and website, else its
    organisation's (from the catalog in force; none when the service has gone since)."""
    service = catalog.get(o.service_id)
    org = catalog.organizations.get(o.provider_id)
    phone = email = website = None
    if service is not None:
        phone = service.phone or (org.phone if org else None)
        email = service.email or (org.email if org else None)
        website = service.url or (org.website if org else None)
    free, cost = _cost(o)
    return ContactCard(
        provider=o.provider_name,
        place=_place(o),
        remote=o.remote,
        phone=str(phone) if phone else None,
        email=str(email) if email else None,
        website=str(website) if website else None,
        languages=[language_name(code) for code in o.languages],
        availability=o.availability,
        available_until=o.available_until,
        free=free,
        cost=cost,
        job=job_line(o),
    )


_CODED = {
    "plan": PLAN_TEXT,
    "documents": DOCUMENT_TEXT,
    "no_contact_with": PARTY_TEXT,
    "work_limits": WORK_LIMIT_TEXT,
    "legal_interest": LEGAL_TEXT,
}


def shared_value(name: str, value: Any, translate: Any) -> str:
    """What a consent field holds for this client, in words (``translate``: the
    client's gettext)."""
    if value is None or value == [] or value == {}:
        return str(translate(N_("not given")))
    if name == "need":
        return str(translate(NEEDS[value].label)) if value in NEEDS else str(value)
    if name == "needs":
        ranked = sorted(value.items(), key=lambda kv: (-kv[1], NEEDS[kv[0]].order if kv[0] in NEEDS else 99))
        return "; ".join(f"{translate(NEEDS[n].label) if n in NEEDS else n} ({p})" for n, p in ranked)
    if name == "languages":
        return ", ".join(language_name(code) for code in value)
    if name in ("location", "intended_location"):
        return ", ".join(b for b in (value.get("area"), country_name(value.get("country", ""))) if b)
    if name == "nationality":
        return country_name(str(value))
    if name in _CODED:
        words = _CODED[name]
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(translate(words[v])) if v in words else str(v).replace("_", " ") for v in items)
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)
