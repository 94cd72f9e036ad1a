"""The public output contract: an option list the client chooses from.

Field names here are a public contract (library, command line, HTTP): add fields,
never rename. ``score`` only orders options within a need; it never hides one.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .text.markers import N_

__all__ = [
    "Alternative",
    "CashOption",
    "Caution",
    "Exclusion",
    "JobFacts",
    "More",
    "NearMiss",
    "NeedOptions",
    "Option",
    "OptionList",
    "PlaceGroup",
    "PlaceNeed",
    "Reason",
    "SpendingPlanLine",
    "Step",
    "Unmet",
    "WayForward",
    "built",
]


_ModelT = TypeVar("_ModelT", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def built(cls: type[_ModelT], values: dict[str, Any]) -> _ModelT:
    """An instance of ``cls`` from ``values`` holding *every* field, already valid.

    The engine makes a few hundred output objects per option list from data the
    catalog and the rule packs already validated; this is ``model_construct`` without
    its per-field default handling (about ten times faster). ``values`` becomes the
    instance's own dict: pass a fresh one. A test pins that the result equals
    ``cls.model_validate(values)`` for every output model.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


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
    cautions: list[Caution] = Field(default_factory=list, description="The step provider's cautions.")


class JobFacts(_Model):
    """What a worker asks about a job, from the catalog's employment facts."""

    sectors: list[str]
    hire: Literal["direct", "broker"] = Field(description="Hired directly by the employer, or through a broker.")
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


class Option(_Model):
    option_id: str
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    kinds: list[str]
    score: float = Field(ge=0, le=1, description="Orders options within a need; never hides one.")
    reasons: list[Reason] = Field(default_factory=list)
    cautions: list[Caution] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    cost: dict[str, Any] = Field(default_factory=dict)
    location: dict[str, Any] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    availability: Literal["open", "waitlist", "full"] = "open"
    available_until: str | None = None
    remote: bool = False
    quality: dict[str, Any] | None = Field(
        default=None, description="Client-rated quality signal and how many ratings it rests on."
    )
    job: JobFacts | None = Field(
        default=None, description="For a job: what a worker asks (sector, hire, fees, wage, hours)."
    )
    shown_on_request: bool = Field(
        default=False, description="Left out of the default list (bad practice the brief names); shown by show_all."
    )
    alternatives: list[Alternative] = Field(
        default_factory=list,
        description="Other remote services of the same provider and kind, offered as this one option.",
    )


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


class Unmet(_Model):
    text: str
    near_misses: list[NearMiss] = Field(default_factory=list)
    ways_forward: list[WayForward] = Field(default_factory=list, description="Never empty when built by propose.")


class More(_Model):
    """The options of a need after the first page: nothing is hidden, only paged.

    The order is worked out only as far as it is read (best first), so ``count`` is exact
    only when ``exact`` says so; otherwise it is an upper bound: services not yet weighed
    may still be ruled out when their page is read (their exclusions come with it)."""

    count: int = Field(
        ge=1,
        description="How many more options there are after `options`: exactly this many when `exact`, "
        "otherwise at most this many.",
    )
    exact: bool = Field(
        default=True,
        description="True: `count` is exact. False: `count` is an upper bound (the later options are worked "
        "out when their page is read; some candidates may then be ruled out).",
    )
    cursor: str = Field(description="Where the next page starts (`GET .../needs/{need}/options?cursor=`).")
    rest: list[list[str]] = Field(
        default_factory=list,
        json_schema_extra={"deprecated": True},
        description="No longer filled (always empty): the later options are ordered when their page is read. "
        "Kept so stored lists and older clients still read.",
    )


class NeedOptions(_Model):
    need: str
    label: str = ""
    priority: int = Field(ge=0, le=4, description="The client's priority (0: not ranked; see listed_because).")
    options: list[Option] = Field(default_factory=list)
    unmet: Unmet | None = None
    cash_meets: bool = Field(default=False, description="Money can meet this need: the cash option applies here too.")
    status: Literal["met", "unmet", "no_job_yet"] = Field(
        default="met",
        description="met: a usable option; no_job_yet: under employment, only other ways to earn (training, "
        "business support); unmet: nothing usable (see unmet).",
    )
    listed_because: str | None = Field(
        default=None, description="Why a need the client ranked low or not at all is listed (a rule's reason)."
    )
    more: More | None = Field(
        default=None, description="The options after the first ones, to read a page at a time; null when all are shown."
    )


class Exclusion(_Model):
    """A candidate removed by a hard limit or eligibility, kept so it can be explained."""

    service_id: str
    service_name: str = ""
    need: str
    rule: str
    text: str
    on_request: bool = Field(default=False, description="Shown when the list is made with show_all.")


class SpendingPlanLine(_Model):
    need: str
    amount: float = Field(ge=0)
    note: str | None = None


class CashOption(_Model):
    """Unconditional cash next to services: three monthly transfers at the minimum wage."""

    option_id: str = "cash"
    transfers: int = 3
    amount_per_transfer: float
    currency: str
    country: str
    basis: str = ""
    spending_plan: list[SpendingPlanLine] = Field(
        default_factory=list, description="Filled in by the client against their ranked needs."
    )
    plan_needs: list[str] = Field(default_factory=list, description="The client's ranked needs, highest first.")
    conditions: str = N_("None: the money is the client's to spend on what they decide.")
    paid_in: str = Field(default="", description="Where the transfers are paid and in which currency.")
    minimum_wage_as_of: str | None = Field(default=None, description="The date the minimum wage figure applies from.")
    recipient: Literal["client", "guardian"] = Field(
        default="client", description="Who receives the transfers: a child's go to a guardian (programme setting)."
    )
    safeguarding: str | None = Field(default=None, description="Safeguarding note when the client is a child.")


class PlaceNeed(_Model):
    need: str
    option_ids: list[str] = Field(default_factory=list)


class PlaceGroup(_Model):
    """For an undecided client: the options that serve one place they are or might be in."""

    country: str
    area: str | None = None
    label: str
    current: bool = False
    needs: list[PlaceNeed] = Field(default_factory=list)


class OptionList(_Model):
    id: str
    client_ref: str
    created_at: str | None = None
    rules_version: str
    catalog_version: str
    sample_data: bool = False
    needs: list[NeedOptions]
    excluded: list[Exclusion] = Field(
        default_factory=list,
        description="Services ruled out, each with its need, the rule and why. A bounded list names those found "
        "while its shown options were worked out; a need's later pages name the rest (their `excluded`).",
    )
    cautions: list[Caution] = Field(
        default_factory=list, description="About the whole list (for example: age not recorded)."
    )
    show_all: bool = Field(default=False, description="Made with show_all: options shown on request are in.")
    cash: CashOption
    by_place: list[PlaceGroup] = Field(
        default_factory=list,
        description="Undecided clients: options grouped by where they are and each place they might go.",
    )
    assessment_id: str | None = Field(default=None, description="Set by the HTTP service: the stored assessment.")
    limit: int | None = Field(default=None, description="Options shown per need (null: all); the rest are paged.")
    paging_quality: dict[str, tuple[float, int]] = Field(
        default_factory=dict,
        description="The client ratings the list was ordered with (service id -> mean, count), for building later pages.",
    )

    def option(self, option_id: str) -> Option | CashOption | None:
        """The option with ``option_id`` (``"cash"`` for the cash option), or None."""
        if option_id == self.cash.option_id:
            return self.cash
        for need in self.needs:
            for opt in need.options:
                if opt.option_id == option_id:
                    return opt
        return None

    def option_ids(self) -> list[str]:
        return [o.option_id for n in self.needs for o in n.options] + [self.cash.option_id]
