"""Service and provider models.

Field names follow Open Referral HSDS 3.1 where HSDS has the concept (``organization``,
``service``, ``location``, ``service_areas``, ``languages``, ``cost_options``,
``schedules``, ``required_documents``, ``interpretation_services``); the domain facts
HSDS lacks (service kinds, structured eligibility, reporting to authorities, movement
restrictions, recruitment fees, capacity) are plain fields here and travel as HSDS
``attributes`` in the HSDS export.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .codes import CountryCode, LanguageCode
from .taxonomy import DOCUMENT_STATUSES, PARTIES, SECTORS, SERVICE_KIND_IDS

__all__ = [
    "Capacity",
    "CatalogData",
    "CostOption",
    "DOCUMENT_CODES",
    "Eligibility",
    "Employment",
    "Location",
    "Organization",
    "OrganizationTexts",
    "RequiredDocument",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceTexts",
    "TRANSLATION_LANGUAGES",
    "partner_text",
]

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
# Every text and list has a bound (declared in the schema): a 900 KB description is refused, not stored.
Name = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=10_000)]
Note = Annotated[str, Field(max_length=2_000)]
Contact = Annotated[str, Field(max_length=320)]
Url = Annotated[str, Field(max_length=2_048)]
Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
Amount = Annotated[float, Field(ge=0, le=1e15)]
KindId = Annotated[str, Field(max_length=64)]
MANY = 500  # items in any list
Party = Literal["police", "immigration", "employer", "broker", "suspect"]
Sector = Literal[
    "agriculture",
    "construction",
    "domestic_work",
    "fishing",
    "garment",
    "hospitality",
    "manufacturing",
    "retail",
    "seafood_processing",
    "services",
    "transport",
]
DocumentCode = Literal["passport", "id_card", "work_permit", "police_report", "birth_certificate", "other"]
DOCUMENT_CODES: tuple[str, ...] = DocumentCode.__args__  # type: ignore[attr-defined]

_KIND_SET = frozenset(SERVICE_KIND_IDS)  # membership per service kind on every validation: a set, not a scan

assert set(Party.__args__) == set(PARTIES)  # type: ignore[attr-defined]
assert set(Sector.__args__) == set(SECTORS)  # type: ignore[attr-defined]
_ = DOCUMENT_STATUSES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The languages a partner can give its words in besides the catalog's own (English):
#: the clients' languages freechoice has messages for.
TRANSLATION_LANGUAGES: tuple[str, ...] = ("km", "lo", "my", "th")
TranslationLanguage = Literal["km", "lo", "my", "th"]
assert TRANSLATION_LANGUAGES == TranslationLanguage.__args__  # type: ignore[attr-defined]
SOURCE_LANGUAGE = "en"  # the language of a record's own name, description and application_process


class OrganizationTexts(_Model):
    """An organisation's words in one client language."""

    name: Name | None = Field(default=None, min_length=1)
    description: Text | None = None
    provenance: Note | None = Field(
        default=None,
        description="How the translation was made and whether it was reviewed "
        "(e.g. 'machine-drafted, awaiting review by a native speaker').",
    )

    @model_validator(mode="after")
    def _some_text(self) -> OrganizationTexts:
        if not any(getattr(self, f) for f in type(self).model_fields if f != "provenance"):
            raise ValueError(f"a translation needs at least one of {', '.join(_texts(type(self)))}")
        return self


class ServiceTexts(OrganizationTexts):
    """A service's words in one client language."""

    application_process: Text | None = Field(default=None, description="How to apply, in this language.")


def _texts(cls: type[_Model]) -> list[str]:
    return [f for f in cls.model_fields if f != "provenance"]


def _checked_keys(value: Any) -> Any:
    """Refuses a translation keyed by anything but a client language, naming the allowed codes."""
    if not isinstance(value, dict):
        return value
    unknown = sorted(str(k) for k in value if k not in TRANSLATION_LANGUAGES)
    if unknown:
        raise ValueError(
            f"no client language {', '.join(map(repr, unknown))}; allowed language codes: "
            f"{', '.join(TRANSLATION_LANGUAGES)} (the record's own fields are English)"
        )
    return value


def partner_text(record: Organization | Service, field: str, lang: str) -> tuple[str, str]:
    """``field`` of ``record`` in ``lang`` where the partner gave it, else its own text:
    the text and the language it is in (English for the record's own text).

    >>> org = Organization(id="o", name="Fair Work Help",
    ...                    translations={"th": {"name": "ช่วยเหลือแรงงาน"}})
    >>> partner_text(org, "name", "th")
    ('ช่วยเหลือแรงงาน', 'th')
    >>> partner_text(org, "name", "my")
    ('Fair Work Help', 'en')
    """
    texts = next((t for code, t in record.translations.items() if code == lang), None)
    value = getattr(texts, field, None) if texts is not None else None
    if value:
        return str(value), lang
    return str(getattr(record, field) or ""), SOURCE_LANGUAGE


class Organization(_Model):
    """A partner organisation (HSDS ``organization``). ``sample`` marks fictional data."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    description: Text = ""
    email: Contact | None = None
    website: Url | None = None
    phone: Contact | None = None
    sample: bool = False
    translations: dict[TranslationLanguage, OrganizationTexts] = Field(
        default_factory=dict,
        description="The organisation's name and description in client languages, by language code "
        f"({', '.join(TRANSLATION_LANGUAGES)}); its own fields are English.",
    )
    hsds_source: dict[str, Any] | None = Field(
        default=None,
        description="The HSDS record as imported from another directory ('record') and a fingerprint "
        "of the fields mapped from it: exported back as given while those fields are unchanged.",
    )

    @field_validator("translations", mode="before")
    @classmethod
    def _languages(cls, v: Any) -> Any:
        return _checked_keys(v)


class Location(_Model):
    """Where a service is delivered in person (HSDS ``location`` with one ``address``)."""

    name: Name | None = None
    address_1: Name | None = None
    city: Name | None = None
    area: Name | None = Field(default=None, description="Province, state or region (HSDS address.state_province).")
    country: CountryCode = Field(description="ISO 3166-1 alpha-2")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ServiceArea(_Model):
    """A place a service covers (HSDS ``service_area``); ``area`` None means the whole country."""

    country: CountryCode
    area: Name | None = None
    name: Name | None = None


class CostOption(_Model):
    """HSDS ``cost_option``: what the client pays (``amount`` 0 means free)."""

    option: Name | None = None
    amount: Amount | None = None
    currency: str | None = Field(default=None, max_length=3, pattern=r"^[A-Z]{3}$")
    amount_description: Note | None = None


class Schedule(_Model):
    """HSDS ``schedule``, reduced to what a caseworker reads."""

    description: Note | None = None
    byday: str | None = Field(default=None, max_length=64, description="RFC 5545 BYDAY, e.g. MO,TU,WE")
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None


class RequiredDocument(_Model):
    """HSDS ``required_document`` with a structured ``code``."""

    code: DocumentCode
    document: str = Field(max_length=200, description="The document as a client would name it.")


class Eligibility(_Model):
    """Who a service can serve, as structured criteria (None / empty means anyone)."""

    nationalities: list[CountryCode] | None = Field(default=None, max_length=MANY)
    genders: list[Literal["female", "male", "other"]] | None = Field(default=None, max_length=3)
    minimum_age: int | None = Field(default=None, ge=0, le=120, strict=True)
    maximum_age: int | None = Field(default=None, ge=0, le=120, strict=True)
    documents_required: list[DocumentCode] = Field(default_factory=list, max_length=20)
    legal_status_required: bool = Field(
        default=False, description="Needs valid documents / legal status in the country of delivery."
    )
    description: Note | None = None

    @model_validator(mode="after")
    def _ages(self) -> Eligibility:
        if self.minimum_age is not None and self.maximum_age is not None and self.minimum_age > self.maximum_age:
            raise ValueError("minimum_age is greater than maximum_age")
        return self


class Employment(_Model):
    """Facts about a job placement or employer that the brief's clients asked about."""

    direct_hire: bool
    charges_recruitment_fees: bool
    sectors: list[Sector] = Field(min_length=1, max_length=20)
    light_work_available: bool = False
    at_sea: bool = False
    night_work: bool = False
    full_time: bool = True
    wage_monthly: Amount | None = None
    minimum_wage_monthly: float | None = Field(default=None, gt=0, le=1e15)
    currency: str | None = Field(default=None, max_length=3, pattern=r"^[A-Z]{3}$")

    @property
    def wage_ratio(self) -> float | None:
        """Wage as a multiple of the minimum wage (None when either is unknown)."""
        if self.wage_monthly is None or not self.minimum_wage_monthly:
            return None
        return round(self.wage_monthly / self.minimum_wage_monthly, 3)


class Capacity(_Model):
    """Whether the service can take someone now (HSDS ``service_capacity`` in summary)."""

    status: Literal["open", "waitlist", "full"] = "open"
    until: dt.date | None = Field(default=None, description="Full or waitlisted until this date.")
    updated: dt.date | None = None
    available: Count | None = None
    maximum: Count | None = None


class Service(_Model):
    """A service a partner organisation offers (HSDS ``service`` plus domain facts)."""

    id: Id
    organization_id: Id
    name: str = Field(min_length=1, max_length=200)
    description: Text = ""
    status: Literal["active", "inactive"] = "active"
    kinds: list[KindId] = Field(min_length=1, max_length=100, description="Service kinds from the freechoice taxonomy.")
    location: Location | None = None
    service_areas: list[ServiceArea] = Field(default_factory=list, max_length=MANY)
    remote: bool = Field(default=False, description="Delivered by phone or online across its service areas.")
    languages: list[LanguageCode] = Field(
        default_factory=list, max_length=MANY, description="ISO 639-1 (or 639-3) codes."
    )
    interpretation: bool = Field(default=False, description="Provides an interpreter for other languages.")
    cost_options: list[CostOption] = Field(default_factory=list, max_length=50)
    schedules: list[Schedule] = Field(default_factory=list, max_length=50)
    required_documents: list[RequiredDocument] = Field(default_factory=list, max_length=50)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    reports_to_authorities: Literal["never", "with_consent", "mandatory"] = "never"
    reports_to: list[Party] = Field(
        default_factory=list, max_length=10, description="Who it reports client details to."
    )
    contact_with: list[Party] = Field(
        default_factory=list, max_length=10, description="Parties the client meets or deals with through this service."
    )
    adverse_parties: list[Party] = Field(
        default_factory=list,
        max_length=10,
        description="Whom a case is against ('the case is against the employer'); not whom the client meets "
        "(that is contact_with). 'employer' means the employer who exploited the client.",
    )
    represents_without_attending: bool = Field(
        default=False, description="A lawyer or caseworker can act for the client without the client in the room."
    )
    restricts_movement: bool = False
    movement_note: Note | None = None
    acts_without_client: bool = Field(
        default=False, description="Contacts family or others without the client leading each step."
    )
    employment: Employment | None = None
    capacity: Capacity = Field(default_factory=Capacity)
    requires: list[KindId] = Field(
        default_factory=list, max_length=100, description="Service kinds the client needs first."
    )
    refers_to: list[Id] = Field(default_factory=list, max_length=MANY, description="Services it refers clients on to.")
    email: Contact | None = None
    url: Url | None = None
    phone: Contact | None = None
    application_process: Text | None = Field(
        default=None, description="How to apply or get in touch (HSDS application_process), in English."
    )
    translations: dict[TranslationLanguage, ServiceTexts] = Field(
        default_factory=dict,
        description="The service's name, description and application process in client languages, by "
        f"language code ({', '.join(TRANSLATION_LANGUAGES)}); its own fields are English.",
    )
    hsds_source: dict[str, Any] | None = Field(
        default=None,
        description="The HSDS record as imported from another directory ('record': every field and "
        "child record as given, with their UUIDs) and a fingerprint of the fields mapped from it: exported back "
        "as given while those fields are unchanged.",
    )

    @field_validator("translations", mode="before")
    @classmethod
    def _languages(cls, v: Any) -> Any:
        return _checked_keys(v)

    @field_validator("kinds", "requires")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        unknown = [k for k in v if k not in _KIND_SET]
        if unknown:
            raise ValueError(f"unknown service kind(s) {unknown}; allowed: {', '.join(SERVICE_KIND_IDS)}")
        return v

    @model_validator(mode="after")
    def _consistency(self) -> Service:
        if not self.service_areas and self.location is None:
            raise ValueError("a service needs a location or at least one service area")
        if self.reports_to_authorities != "never" and not self.reports_to:
            raise ValueError("reports_to must name who it reports to when reports_to_authorities is not 'never'")
        if "job_placement.direct_employer" in self.kinds and self.employment is None:
            raise ValueError("a job placement with an employer needs its employment facts")
        return self

    def places(self) -> list[tuple[str, str | None]]:
        """(country, area) pairs this service covers; area None means the whole country."""
        if self.service_areas:
            return [(a.country, a.area) for a in self.service_areas]
        assert self.location is not None
        return [(self.location.country, self.location.area)]


class CatalogData(_Model):
    """A whole catalog as stored in YAML or JSON: organisations and their services."""

    catalog: str = "freechoice catalog"
    sample: bool = Field(default=False, description="True for fictional sample data.")
    notice: str | None = None
    organizations: list[Organization]
    services: list[Service]
