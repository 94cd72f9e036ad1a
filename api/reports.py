"""Response schemas of the computed answers (KPIs, rule checks, retention, erasure,
health, HSDS reports): what those routes send, for the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from freechoice.engine import OptionList
from freechoice.engine.casework import Measure

from .examples import OPTION_LIST

__all__ = [
    "ActiveRules",
    "DryRunResult",
    "Erasure",
    "Health",
    "HsdsAbout",
    "HsdsImportReport",
    "HsdsPage",
    "HsdsProfile",
    "HsdsService",
    "HsdsTaxonomy",
    "HsdsTaxonomyTerm",
    "Kpis",
    "Liveness",
    "MeanN",
    "PackValidation",
    "Readiness",
    "Retention",
    "RulesActivated",
]


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class MeanN(BaseModel):
    mean: float
    n: int = Field(ge=0)


class Median(BaseModel):
    median: float | None = Field(description="Hours; null without any")
    n: int = Field(ge=0)


class Dropout(BaseModel):
    status: str
    reason: str
    count: int = Field(ge=1)


class Kpis(BaseModel):
    """An organisation's measures over a period (shares are 0-1, null when nothing to divide)."""

    model_config = _example(
        {
            "organization_id": "org-cw-a",
            "since": "2026-11-01",
            "until": None,
            "option_lists": 12,
            "priority_4_needs": 20,
            "share_priority_4_with_option": 0.95,
            "share_lists_chosen_from": 0.75,
            "referrals_sent": 9,
            "share_referrals_completed": 0.3333,
            "hours_choice_to_first_service": {"median": 30.5, "n": 4},
            "satisfaction_by_kind": {"legal_aid.wage_claim": {"mean": 4.5, "n": 2}},
            "satisfaction_by_provider": {"org-andaman-wage-justice": {"mean": 4.5, "n": 2}},
            "need_met": {"yes": 1, "partly": 1, "no": 0},
            "feedback_count": 2,
            "dropouts": [{"status": "declined", "reason": "no places", "count": 1}],
        }
    )
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
    measures: dict[str, Measure] = Field(
        default_factory=dict,
        description="Measures that reflect empowerment (issue 12), by name: each with its definition, the clients "
        "it rests on, and null figures for groups under the minimum size",
    )


class PackSummary(BaseModel):
    pack: str
    description: str | None = None
    rules: int = Field(ge=0)


class RuleSummary(BaseModel):
    id: str
    pack: str
    effect: str
    description: str | None = None


class ActiveRules(BaseModel):
    """The rule packs in force."""

    model_config = _example(
        {
            "version": "2026.11",
            "packs": [{"pack": "safety", "description": "Safety first", "rules": 1}],
            "rules": [
                {"id": "safety.no-employer-contact", "pack": "safety", "effect": "exclude", "description": "..."}
            ],
        }
    )
    version: str
    packs: list[PackSummary]
    rules: list[RuleSummary]


class PackProblem(BaseModel):
    model_config = ConfigDict(extra="allow")
    field: str
    message: str
    allowed: list[Any] | None = None


class PackValidation(BaseModel):
    """Whether a candidate pack compiles; every problem, by rule and field."""

    model_config = _example(
        {
            "valid": False,
            "problems": [{"field": "rules[0].then", "message": "unknown effect", "allowed": ["exclude", "flag"]}],
        }
    )
    valid: bool
    version: str | None = None
    rules: int | None = None
    problems: list[PackProblem]


class NeedChange(BaseModel):
    before: list[str]
    after: list[str]


class DryRunResult(BaseModel):
    """A candidate pack against a stored assessment: which services each need would show."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "active_version": "2026.11",
                    "candidate_version": "2026.12",
                    "changes": {"housing": {"before": ["svc-house-1"], "after": []}},
                    "option_list": OPTION_LIST,
                }
            ]
        }
    )
    active_version: str
    candidate_version: str
    changes: dict[str, NeedChange]
    option_list: OptionList


class RulesActivated(BaseModel):
    model_config = _example({"version": "2026.12", "rules": 42})
    version: str
    rules: int = Field(ge=0)


class Retention(BaseModel):
    """How long an organisation's option lists and assessments are kept."""

    model_config = _example(
        {"organization_id": "org-cw-a", "retention_days": None, "service_default_days": 365, "effective_days": 365}
    )
    organization_id: str
    retention_days: int | None = Field(description="The organisation's own setting (null: the service default)")
    service_default_days: int
    effective_days: int = Field(description="What applies (0: kept until erased)")


class Erasure(BaseModel):
    """What an erasure removed, per kind of record."""

    model_config = _example(
        {
            "organization_id": "org-cw-a",
            "erased": {
                "assessments": 1,
                "option_lists": 1,
                "choices": 1,
                "referrals": 1,
                "referral_events": 2,
                "feedback_unlinked": 0,
                "audit_entries_anonymised": 4,
                "idempotency_records": 0,
                "linked_records": 0,
                "intake_drafts": 0,
            },
        }
    )
    organization_id: str
    erased: dict[str, int]


class Health(BaseModel):
    model_config = _example({"status": "ok", "rules_version": "2026.11", "catalog_version": "sample-7"})
    status: str
    rules_version: str
    catalog_version: str


class Liveness(BaseModel):
    model_config = _example({"status": "alive"})
    status: str


class Readiness(BaseModel):
    model_config = _example(
        {
            "status": "ready",
            "checks": {"database": "ok", "catalog": "ok"},
            "catalog_version": "sample-7",
            "services": 120,
            "rules_version": "2026.11",
            "catalog_retrieval": "memory",
        }
    )
    status: str
    checks: dict[str, str]
    catalog_version: str
    services: int = Field(ge=0)
    rules_version: str
    catalog_retrieval: str = Field(default="memory", description="Where candidate retrieval runs: memory or database.")


class HsdsAbout(BaseModel):
    model_config = _example({"version": "3.1", "openapi_url": "http://127.0.0.1:8000/openapi.json"})
    version: str
    openapi_url: str


class HsdsPage(BaseModel):
    """The HSDS 3.1 API ``Page`` (the standard's own envelope: numbered pages with totals)."""

    model_config = _example(
        {
            "total_items": 1,
            "total_pages": 1,
            "page_number": 1,
            "size": 1,
            "first_page": True,
            "last_page": True,
            "empty": False,
            "contents": [{"id": "5f0e7c1a-0000-4000-8000-000000000001", "name": "Wage claim clinic (fictional)"}],
        }
    )
    total_items: int = Field(ge=0)
    total_pages: int = Field(ge=1)
    page_number: int = Field(ge=1)
    size: int = Field(ge=0)
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]] = Field(description="HSDS 3.1 objects")


class HsdsImportReport(BaseModel):
    """What an HSDS import did (with ``directory``: the sync's report as well)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "created": 2,
                    "updated": 1,
                    "unchanged": 0,
                    "organizations": 1,
                    "services": 3,
                    "inferred": [],
                    "unclassified": [],
                    "dropped": [],
                    "refused": [],
                }
            ]
        },
    )
    created: int = Field(ge=0)
    updated: int = Field(ge=0)
    unchanged: int = Field(ge=0)
    organizations: int = Field(ge=0)
    services: int = Field(ge=0)
    inferred: list[Any]
    unclassified: list[Any]
    dropped: list[Any]
    refused: list[Any]
    directory: str | None = None
    since: str | None = None
    skipped_unchanged: int | None = None
    deactivated: list[dict[str, str]] | None = None


class HsdsTaxonomy(BaseModel):
    """An HSDS 3.1 ``taxonomy``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "23a4acf9-cf05-5ff2-8d81-f987c35fb775",
                    "name": "freechoice",
                    "description": "Service kinds and domain facts of freechoice.",
                    "uri": "https://freechoice.example.org/hsds/taxonomy/v1",
                }
            ]
        },
    )
    id: str
    name: str
    description: str
    uri: str | None = None


class HsdsTaxonomyTerm(BaseModel):
    """An HSDS 3.1 ``taxonomy_term``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "5dbd9304-2846-5ebf-b291-08fa2283b71d",
                    "name": "job_placement.direct_employer",
                    "description": "A job with an employer",
                    "taxonomy_id": "23a4acf9-cf05-5ff2-8d81-f987c35fb775",
                    "term_uri": "https://freechoice.example.org/hsds/taxonomy/v1/kind/job_placement.direct_employer",
                }
            ]
        },
    )
    id: str
    name: str
    description: str
    taxonomy_id: str | None = None
    term_uri: str | None = None


class HsdsService(BaseModel):
    """An HSDS 3.1 ``service`` (fully nested: see the HSDS 3.1 schema for every member)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "id": "5f0e7c1a-0000-4000-8000-000000000001",
                    "name": "Wage claim clinic (fictional)",
                    "status": "active",
                    "organization": {"id": "5f0e7c1a-0000-4000-8000-000000000002", "name": "Andaman Wage Justice"},
                }
            ]
        },
    )
    id: str
    name: str
    organization_active: bool | None = Field(
        default=None,
        description="Present (false) only on a deactivated organisation's service, which is not offered "
        "(read with include_deactivated=true, or by the organisation's own key).",
    )


class HsdsProfile(BaseModel):
    """The freechoice HSDS profile: a JSON Schema for each fact attribute."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "name": "freechoice",
                    "uri": "https://freechoice.example.org/hsds/taxonomy/v1/profile",
                    "hsds_version": "3.1",
                    "description": "Extension facts of freechoice carried as HSDS attributes.",
                    "attributes": {},
                }
            ]
        },
    )
    name: str
    uri: str
    hsds_version: str
    description: str
    attributes: dict[str, Any]
