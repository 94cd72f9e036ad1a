"""The shapes the client sends and receives: the service's own models, written out by
tools/client_models.py (do not edit; run it after changing a model the API sends or
takes). The same names, fields, aliases, defaults and limits; unknown fields in an
answer are ignored (a client older than the service still reads it); the service's
checks in code stay on the service."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Assessment",
    "Capacity",
    "Choice",
    "ChoiceCreated",
    "ChoiceRecord",
    "ChosenReferral",
    "DeliveryRecord",
    "Event",
    "FeedbackCode",
    "FeedbackRecord",
    "Kpis",
    "MAX_LIMIT",
    "MEDIA",
    "NeedOptionsPage",
    "Option",
    "OptionList",
    "OptionListSummary",
    "Organization",
    "ProblemDocument",
    "Referral",
    "ReferralDraft",
    "ReferralEvent",
    "Service",
    "ServiceRecord",
    "SubscriptionCreated",
    "SubscriptionRecord",
]

MAX_LIMIT = 500
MEDIA = "application/problem+json"


class _Model(BaseModel):
    """Every model here: unknown fields ignored, fields also set by their Python names."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Assessment(_Model):
    """A client's needs ranked 1-4 (4 = highest priority) and their situation."""

    client_ref: str = Field(max_length=64, pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    needs: dict[
        Literal[
            "employment",
            "current_expenses",
            "debt",
            "integration_planning",
            "cultural_religious",
            "legal_proceedings",
            "identity_documents",
            "compensation",
            "legal_information",
            "family_communication",
            "housing",
            "food",
            "safety_destination",
            "protection",
            "family_safety",
            "basic_medical",
            "serious_medical",
            "psychosocial",
            "life_skills",
            "vocational_training",
            "child_schooling",
        ],
        Literal[1, 2, 3, 4],
    ]
    situation: Situation


class Situation(_Model):
    """Where the client is and wants to go, and the limits they set."""

    location: ClientPlace
    plan: Literal["stay", "return_home", "move_elsewhere", "undecided"] = "undecided"
    intended_location: ClientPlace | None = None
    possible_locations: list[ClientPlace] = Field(default_factory=list, max_length=10)
    nationality: str | None = None
    languages: list[str] = Field(default_factory=list, max_length=50)
    gender: Literal["female", "male", "other"] | None = None
    age: int | None = Field(default=None, ge=0, le=120)
    documents: Literal["valid", "expired", "lost", "confiscated", "fraudulent", "none"] = "none"
    fears: list[Literal["police", "immigration", "employer", "broker", "suspect"]] = Field(
        default_factory=list, max_length=10
    )
    avoid_sectors: list[
        Literal[
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
    ] = Field(default_factory=list, max_length=20)
    work_limits: list[Literal["light_work_only", "no_night_work", "no_sea_work", "part_time_only"]] = Field(
        default_factory=list, max_length=10
    )
    work_choices: list[Literal["night_work", "sea_work"]] = Field(default_factory=list, max_length=4)
    legal_interest: list[Literal["wage_claim", "criminal_case"]] = Field(default_factory=list, max_length=4)
    no_contact_with: list[Literal["police", "immigration", "employer", "broker", "suspect"]] = Field(
        default_factory=list, max_length=10
    )


class ClientPlace(_Model):
    """A place: ISO 3166-1 alpha-2 country and, optionally, the area (province/state)."""

    country: str = Field(max_length=8)
    area: str | None = Field(default=None, max_length=200)


class Choice(_Model):
    """What the client decided over one option list."""

    option_list_id: str
    client_ref: str
    decision: Literal["chosen", "none_of_these", "decide_later"]
    option_ids: list[str] = Field(default_factory=list)
    cash_chosen: bool = False
    spending_plan: list[SpendingPlanLine] = Field(default_factory=list)
    referrals: list[ReferralDraft] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=2000)


class SpendingPlanLine(_Model):
    need: str
    amount: float = Field(ge=0)
    note: str | None = None


class ReferralDraft(_Model):
    """A referral the client chose, not yet sent. ``shared_fields`` is what the provider may see."""

    option_id: str
    need: str
    priority: int = Field(default=0, ge=0, le=4)
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    kinds: list[str] = Field(default_factory=list)
    status: Literal["draft"] = "draft"
    shared_fields: list[str]


class Option(_Model):
    option_id: str
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    kinds: list[str]
    score: float = Field(ge=0, le=1)
    reasons: list[Reason] = Field(default_factory=list)
    cautions: list[Caution] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    cost: dict[str, Any] = Field(default_factory=dict)
    location: dict[str, Any] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    availability: Literal["open", "waitlist", "full"] = "open"
    available_until: str | None = None
    remote: bool = False
    quality: dict[str, Any] | None = None
    job: JobFacts | None = None
    shown_on_request: bool = False
    alternatives: list[Alternative] = Field(default_factory=list)


class Reason(_Model):
    """Why an option is there or ranks where it does (a fired rule, in plain words)."""

    rule: str
    text: str


class Caution(_Model):
    """Something the client should hear before choosing (client-readable)."""

    rule: str
    text: str


class Step(_Model):
    """One step of a pathway. ``when`` is ``before`` (a prerequisite) or ``after`` (onward)."""

    kind: str
    text: str
    when: Literal["before", "after"] = "before"
    service_id: str | None = None
    service_name: str | None = None
    provider_name: str | None = None
    rule: str | None = None
    cautions: list[Caution] = Field(default_factory=list)


class JobFacts(_Model):
    """What a worker asks about a job, from the catalog's employment facts."""

    sectors: list[str]
    hire: Literal["direct", "broker"]
    charges_recruitment_fees: bool
    wage_monthly: float | None = None
    minimum_wage_monthly: float | None = None
    currency: str | None = None
    wage_vs_minimum: Literal["above", "at", "below", "unknown"] = "unknown"
    full_time: bool = True
    night_work: bool = False
    at_sea: bool = False
    light_work_available: bool = False
    legal_status_required: bool = False


class Alternative(_Model):
    """Another remote service of the same provider and kind, listed inside one option
    (a national helpline with forty lines is one option, not forty)."""

    service_id: str
    service_name: str
    languages: list[str] = Field(default_factory=list)
    availability: Literal["open", "waitlist", "full"] = "open"


class OptionList(_Model):
    id: str
    client_ref: str
    created_at: str | None = None
    rules_version: str
    catalog_version: str
    sample_data: bool = False
    needs: list[NeedOptions]
    excluded: list[Exclusion] = Field(default_factory=list)
    cautions: list[Caution] = Field(default_factory=list)
    show_all: bool = False
    cash: CashOption
    by_place: list[PlaceGroup] = Field(default_factory=list)
    assessment_id: str | None = None
    limit: int | None = None
    paging_quality: dict[str, tuple[float, int]] = Field(default_factory=dict)


class NeedOptions(_Model):
    need: str
    label: str = ""
    priority: int = Field(ge=0, le=4)
    options: list[Option] = Field(default_factory=list)
    unmet: Unmet | None = None
    cash_meets: bool = False
    status: Literal["met", "unmet", "no_job_yet"] = "met"
    listed_because: str | None = None
    more: More | None = None


class Unmet(_Model):
    text: str
    near_misses: list[NearMiss] = Field(default_factory=list)
    ways_forward: list[WayForward] = Field(default_factory=list)


class NearMiss(_Model):
    """A service that could have met the need, and what stands in the way."""

    service_id: str
    service_name: str
    provider_name: str
    blocked_by: list[str]
    rules: list[str] = Field(default_factory=list)


class WayForward(_Model):
    """What can still be done for an unmet need: a service elsewhere in the country, one
    by phone, an interpreter, the cash option, or the caseworker looking further."""

    kind: Literal["elsewhere", "remote", "interpreter", "cash", "caseworker"]
    text: str
    service_id: str | None = None
    place: str | None = None


class More(_Model):
    """The options of a need after the first page: nothing is hidden, only paged.

    The order is worked out only as far as it is read (best first), so ``count`` is exact
    only when ``exact`` says so; otherwise it is an upper bound: services not yet weighed
    may still be ruled out when their page is read (their exclusions come with it)."""

    count: int = Field(ge=1)
    exact: bool = True
    cursor: str
    rest: list[list[str]] = Field(default_factory=list)


class Exclusion(_Model):
    """A candidate removed by a hard limit or eligibility, kept so it can be explained."""

    service_id: str
    service_name: str = ""
    need: str
    rule: str
    text: str
    on_request: bool = False


class CashOption(_Model):
    """Unconditional cash next to services: three monthly transfers at the minimum wage."""

    option_id: str = "cash"
    transfers: int = 3
    amount_per_transfer: float
    currency: str
    country: str
    basis: str = ""
    spending_plan: list[SpendingPlanLine] = Field(default_factory=list)
    plan_needs: list[str] = Field(default_factory=list)
    conditions: str = "None: the money is the client's to spend on what they decide."
    paid_in: str = ""
    minimum_wage_as_of: str | None = None
    recipient: Literal["client", "guardian"] = "client"
    safeguarding: str | None = None


class PlaceGroup(_Model):
    """For an undecided client: the options that serve one place they are or might be in."""

    country: str
    area: str | None = None
    label: str
    current: bool = False
    needs: list[PlaceNeed] = Field(default_factory=list)


class PlaceNeed(_Model):
    need: str
    option_ids: list[str] = Field(default_factory=list)


class Capacity(_Model):
    """Whether the service can take someone now (HSDS ``service_capacity`` in summary)."""

    status: Literal["open", "waitlist", "full"] = "open"
    until: dt.date | None = None
    updated: dt.date | None = None
    available: int | None = None
    maximum: int | None = None


class Organization(_Model):
    """A partner organisation (HSDS ``organization``). ``sample`` marks fictional data."""

    id: str = Field(min_length=1, max_length=128, pattern="^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    email: str | None = None
    website: str | None = None
    phone: str | None = None
    sample: bool = False
    translations: dict[Literal["km", "lo", "my", "th"], OrganizationTexts] = Field(default_factory=dict)
    hsds_source: dict[str, Any] | None = None


class OrganizationTexts(_Model):
    """An organisation's words in one client language."""

    name: str | None = Field(default=None, min_length=1)
    description: str | None = None
    provenance: str | None = None


class Eligibility(_Model):
    """Who a service can serve, as structured criteria (None / empty means anyone)."""

    nationalities: list[str] | None = Field(default=None, max_length=500)
    genders: list[Literal["female", "male", "other"]] | None = Field(default=None, max_length=3)
    minimum_age: int | None = Field(default=None, ge=0, le=120)
    maximum_age: int | None = Field(default=None, ge=0, le=120)
    documents_required: list[
        Literal["passport", "id_card", "work_permit", "police_report", "birth_certificate", "other"]
    ] = Field(default_factory=list, max_length=20)
    legal_status_required: bool = False
    description: str | None = None


class Service(_Model):
    """A service a partner organisation offers (HSDS ``service`` plus domain facts)."""

    id: str = Field(min_length=1, max_length=128, pattern="^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    organization_id: str = Field(min_length=1, max_length=128, pattern="^[A-Za-z0-9][A-Za-z0-9._:-]*$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    status: Literal["active", "inactive"] = "active"
    kinds: list[str] = Field(min_length=1, max_length=100)
    location: Location | None = None
    service_areas: list[ServiceArea] = Field(default_factory=list, max_length=500)
    remote: bool = False
    languages: list[str] = Field(default_factory=list, max_length=500)
    interpretation: bool = False
    cost_options: list[CostOption] = Field(default_factory=list, max_length=50)
    schedules: list[Schedule] = Field(default_factory=list, max_length=50)
    required_documents: list[RequiredDocument] = Field(default_factory=list, max_length=50)
    eligibility: Eligibility = Field(default_factory=lambda: Eligibility())
    reports_to_authorities: Literal["never", "with_consent", "mandatory"] = "never"
    reports_to: list[Literal["police", "immigration", "employer", "broker", "suspect"]] = Field(
        default_factory=list, max_length=10
    )
    contact_with: list[Literal["police", "immigration", "employer", "broker", "suspect"]] = Field(
        default_factory=list, max_length=10
    )
    adverse_parties: list[Literal["police", "immigration", "employer", "broker", "suspect"]] = Field(
        default_factory=list, max_length=10
    )
    represents_without_attending: bool = False
    restricts_movement: bool = False
    movement_note: str | None = None
    acts_without_client: bool = False
    employment: Employment | None = None
    capacity: Capacity = Field(default_factory=lambda: Capacity())
    requires: list[str] = Field(default_factory=list, max_length=100)
    refers_to: list[str] = Field(default_factory=list, max_length=500)
    email: str | None = None
    url: str | None = None
    phone: str | None = None
    application_process: str | None = None
    translations: dict[Literal["km", "lo", "my", "th"], ServiceTexts] = Field(default_factory=dict)
    hsds_source: dict[str, Any] | None = None


class Location(_Model):
    """Where a service is delivered in person (HSDS ``location`` with one ``address``)."""

    name: str | None = None
    address_1: str | None = None
    city: str | None = None
    area: str | None = None
    country: str = Field(max_length=8)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ServiceArea(_Model):
    """A place a service covers (HSDS ``service_area``); ``area`` None means the whole country."""

    country: str = Field(max_length=8)
    area: str | None = None
    name: str | None = None


class CostOption(_Model):
    """HSDS ``cost_option``: what the client pays (``amount`` 0 means free)."""

    option: str | None = None
    amount: float | None = None
    currency: str | None = Field(default=None, max_length=3, pattern="^[A-Z]{3}$")
    amount_description: str | None = None


class Schedule(_Model):
    """HSDS ``schedule``, reduced to what a caseworker reads."""

    description: str | None = None
    byday: str | None = Field(default=None, max_length=64)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None


class RequiredDocument(_Model):
    """HSDS ``required_document`` with a structured ``code``."""

    code: Literal["passport", "id_card", "work_permit", "police_report", "birth_certificate", "other"]
    document: str = Field(max_length=200)


class Employment(_Model):
    """Facts about a job placement or employer that the brief's clients asked about."""

    direct_hire: bool
    charges_recruitment_fees: bool
    sectors: list[
        Literal[
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
    ] = Field(min_length=1, max_length=20)
    light_work_available: bool = False
    at_sea: bool = False
    night_work: bool = False
    full_time: bool = True
    wage_monthly: float | None = None
    minimum_wage_monthly: float | None = Field(default=None, gt=0, le=1000000000000000.0)
    currency: str | None = Field(default=None, max_length=3, pattern="^[A-Z]{3}$")


class ServiceTexts(OrganizationTexts):
    """A service's words in one client language."""

    application_process: str | None = None


class ChoiceCreated(Choice):
    """The recorded choice, with the referral drafts it made."""

    referrals: list[ChosenReferral] = Field(default_factory=list)  # type: ignore[assignment]  # narrower than the base's, as in the service
    id: str


class ChosenReferral(ReferralDraft):
    """A referral draft made from the choice, with its id."""

    id: str


class ChoiceRecord(Choice):
    """A recorded choice, with the ids of its referrals."""

    id: str
    referral_ids: list[str]
    created_at: str


class FeedbackCode(_Model):
    """A client's single-use feedback code, shown once."""

    referral_id: str
    token: str
    expires_at: str
    note: str


class FeedbackRecord(_Model):
    """Recorded feedback, as the caller may see it (the feedback code is never returned;
    ``referral_id`` is null for feedback given with a code: it stays anonymous)."""

    id: str
    referral_id: str | None
    service_id: str | None
    provider_id: str | None
    kinds: list[str]
    need_met: Literal["yes", "partly", "no"]
    satisfaction: int = Field(ge=1, le=5)
    would_recommend: bool | None = None
    text: str | None = None
    via: Literal["token", "referral"]
    created_at: str | None = None


class OptionListSummary(_Model):
    """An option list in a list of them (the options: ``GET /option-lists/{id}``)."""

    id: str
    client_ref: str
    created_at: str
    rules_version: str
    catalog_version: str


class Referral(_Model):
    """A referral as its caller may see it: partners see only the consented fields of
    ``client`` and none of ``choice_id``, ``option_list_id``, ``priority``."""

    id: str
    status: str
    service_id: str
    provider_id: str
    need: str
    kinds: list[str]
    client: dict[str, Any]
    allowed_transitions: list[str]
    history: list[ReferralEvent]
    created_at: str
    updated_at: str
    choice_id: str | None = None
    option_list_id: str | None = None
    priority: int | None = None


class ReferralEvent(_Model):
    from_: str | None = Field(alias="from")
    to: str
    reason: str | None = None
    at: str


class ServiceRecord(Service):
    """A stored service with its version (the ETag) and who changed it last, and whether
    it is offered (``organization_active``, ``offered``)."""

    version: int
    updated_at: str | None = None
    updated_by: str | None = None
    organization_active: bool = True
    offered: bool = True


class Kpis(_Model):
    """An organisation's measures over a period (shares are 0-1, null when nothing to divide)."""

    organization_id: str
    since: dt.date | None
    until: dt.date | None
    option_lists: int = Field(ge=0)
    priority_4_needs: int = Field(ge=0)
    share_priority_4_with_option: float | None
    share_lists_chosen_from: float | None
    referrals_sent: int = Field(ge=0)
    share_referrals_completed: float | None
    hours_choice_to_first_service: Median
    satisfaction_by_kind: dict[str, MeanN]
    satisfaction_by_provider: dict[str, MeanN]
    need_met: dict[str, int]
    feedback_count: int = Field(ge=0)
    dropouts: list[Dropout]
    measures: dict[str, Measure] = Field(default_factory=dict)


class Median(_Model):
    median: float | None
    n: int = Field(ge=0)


class MeanN(_Model):
    mean: float
    n: int = Field(ge=0)


class Dropout(_Model):
    status: str
    reason: str
    count: int = Field(ge=1)


class Measure(_Model):
    name: str
    definition: str
    clients: int | None
    value: Any = None
    suppressed: bool = False
    groups: list[MeasureGroup] = Field(default_factory=list)


class MeasureGroup(_Model):
    group: str
    clients: int | None
    value: Any = None
    suppressed: bool = False


class Event(_Model):
    id: int
    type: str
    referral_id: str
    from_: str | None = Field(alias="from")
    to: str
    reason: str | None = None
    at: str


class NeedOptionsPage(_Model):
    """A page of one need's options. A need's options are worked out best first, only as
    far as they are read: a page names the need's exclusions found while it was worked
    out (``excluded``), so the list's and its pages' exclusions together are every one.
    When the catalog or rules have changed since the list was made (every capacity change
    does), the page cannot be rebuilt exactly: it is then built from the catalog and rules
    in force now, leaving out every option the list already shows, and ``as_of_now`` says so."""

    items: list[Option]
    next: str | None
    excluded: list[Exclusion] = Field(default_factory=list)
    as_of_now: bool
    catalog_version: str
    rules_version: str


class DeliveryRecord(_Model):
    id: str
    subscription_id: str
    event_id: int
    event_type: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


class SubscriptionRecord(_Model):
    id: str
    organization_id: str
    role: str
    url: str
    event_types: list[str]
    description: str
    created_at: str
    deliveries: dict[str, int]


class SubscriptionCreated(SubscriptionRecord):
    secret: str | None = None
    note: str


class ProblemDocument(_Model):
    """An RFC 9457 problem document: every 4xx and 5xx answer. Some carry more members
    (``allowed`` moves for a 409 on a referral, ``etag`` on a 428, ``checks`` on a 503)."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int = Field(ge=100, le=599)
    detail: str
    errors: list[ProblemField] | None = None
    request_id: str | None = None


class ProblemField(_Model):
    """One problem with the request, naming the field and, where it helps, the allowed values."""

    model_config = ConfigDict(extra="allow")
    field: str
    message: str
    allowed: list[Any] | None = None


Assessment.model_rebuild()
Situation.model_rebuild()
ClientPlace.model_rebuild()
Choice.model_rebuild()
SpendingPlanLine.model_rebuild()
ReferralDraft.model_rebuild()
Option.model_rebuild()
Reason.model_rebuild()
Caution.model_rebuild()
Step.model_rebuild()
JobFacts.model_rebuild()
Alternative.model_rebuild()
OptionList.model_rebuild()
NeedOptions.model_rebuild()
Unmet.model_rebuild()
NearMiss.model_rebuild()
WayForward.model_rebuild()
More.model_rebuild()
Exclusion.model_rebuild()
CashOption.model_rebuild()
PlaceGroup.model_rebuild()
PlaceNeed.model_rebuild()
Capacity.model_rebuild()
Organization.model_rebuild()
OrganizationTexts.model_rebuild()
Service.model_rebuild()
Location.model_rebuild()
ServiceArea.model_rebuild()
CostOption.model_rebuild()
Schedule.model_rebuild()
RequiredDocument.model_rebuild()
Eligibility.model_rebuild()
Employment.model_rebuild()
ServiceTexts.model_rebuild()
ChoiceCreated.model_rebuild()
ChosenReferral.model_rebuild()
ChoiceRecord.model_rebuild()
FeedbackCode.model_rebuild()
FeedbackRecord.model_rebuild()
OptionListSummary.model_rebuild()
Referral.model_rebuild()
ReferralEvent.model_rebuild()
ServiceRecord.model_rebuild()
Kpis.model_rebuild()
Median.model_rebuild()
MeanN.model_rebuild()
Dropout.model_rebuild()
Measure.model_rebuild()
MeasureGroup.model_rebuild()
Event.model_rebuild()
NeedOptionsPage.model_rebuild()
DeliveryRecord.model_rebuild()
SubscriptionRecord.model_rebuild()
SubscriptionCreated.model_rebuild()
ProblemDocument.model_rebuild()
ProblemField.model_rebuild()
