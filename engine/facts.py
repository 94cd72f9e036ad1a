"""Turning assessments, services and rule conditions into flat durable-rules facts.

durable-rules facts here are flat: nested fields become ``a__b`` keys, and list fields
become one boolean membership key per member (``fears__police: true``), so that list
conditions compile to plain equality / existence tests on a single fact: no joins,
no ``$iany`` over references, none of the engine's sharp edges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from freechoice.catalog import NEED_IDS, Service, ServiceCard
from freechoice.rules.schema import CLIENT_FIELDS, SERVICE_FIELDS

from .assessment import Assessment

__all__ = ["client_fact", "compile_side", "service_fact"]


def _key(field: str, member: str | None = None) -> str:
    base = field.replace(".", "__")
    if member is None:
        return base
    return f"{base}__{str(member).replace('.', '__').replace('-', '_')}"


def _put_list(fact: dict[str, Any], field: str, values: Any) -> None:
    for v in values:
        fact[_key(field, v)] = True


def client_fact(a: Assessment, *, age_of_majority: int = 18) -> dict[str, Any]:
    """The client as one flat fact (``id`` = ``client``).

    ``minor`` (under ``age_of_majority``, the setting of the client's country) is
    given only when the age is.
    """
    s = a.situation
    fact: dict[str, Any] = {
        "id": "client",
        "documents": s.documents,
        "documents_valid": s.documents == "valid",
        "plan": s.plan,
        "location__country": s.location.country,
    }
    if s.gender is not None:
        fact["gender"] = s.gender
    if s.age is not None:
        fact["age"] = s.age
        fact["minor"] = s.age < age_of_majority
    if s.nationality is not None:
        fact["nationality"] = s.nationality
    if s.intended_location is not None:
        fact["intended_location__country"] = s.intended_location.country
    for field in (
        "languages",
        "fears",
        "avoid_sectors",
        "work_limits",
        "work_choices",
        "legal_interest",
        "no_contact_with",
    ):
        _put_list(fact, field, getattr(s, field))
    for n in NEED_IDS:
        fact[_key("needs." + n)] = a.needs.get(n, 0)
    return fact


def service_fact(svc: Service | ServiceCard) -> dict[str, Any]:
    """A service as one flat fact (``id`` = the service id)."""
    fact: dict[str, Any] = {
        "id": svc.id,
        "reports_to_authorities": svc.reports_to_authorities,
        "restricts_movement": svc.restricts_movement,
        "acts_without_client": svc.acts_without_client,
        "remote": svc.remote,
        "interpretation": svc.interpretation,
        "represents_without_attending": svc.represents_without_attending,
        "free": all((c.amount or 0) == 0 for c in svc.cost_options),
        "capacity__status": svc.capacity.status,
        "is_employer": svc.employment is not None,
        "eligibility__legal_status_required": svc.eligibility.legal_status_required,
    }
    _put_list(fact, "kinds", svc.kinds)
    _put_list(fact, "requires", svc.requires)
    _put_list(fact, "reports_to", svc.reports_to)
    _put_list(fact, "contact_with", svc.contact_with)
    _put_list(fact, "adverse_parties", svc.adverse_parties)
    _put_list(fact, "eligibility.documents_required", svc.eligibility.documents_required)
    emp = svc.employment
    if emp is not None:
        fact.update(
            {
                "employment__direct_hire": emp.direct_hire,
                "employment__charges_recruitment_fees": emp.charges_recruitment_fees,
                "employment__light_work_available": emp.light_work_available,
                "employment__at_sea": emp.at_sea,
                "employment__night_work": emp.night_work,
                "employment__full_time": emp.full_time,
            }
        )
        _put_list(fact, "employment.sectors", emp.sectors)
        if emp.wage_ratio is not None:
            fact["employment__wage_ratio"] = emp.wage_ratio
    return fact


_CMP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte", "ne": "$neq"}


def _field_pattern(field: str, kind: str, cond: Any) -> dict[str, Any]:
    key = _key(field)
    if not isinstance(cond, Mapping):
        return {key: cond}
    ((op, val),) = cond.items()
    if kind == "list":
        if op == "exists":
            raise ValueError("exists is not defined on list fields; use any_of / none_of")
        members = [_key(field, v) for v in val]
        parts: list[dict[str, Any]]
        if op == "any_of":
            parts = [{m: True} for m in members]
            return parts[0] if len(parts) == 1 else {"$or": parts}
        if op == "all_of":
            parts = [{m: True} for m in members]
            return parts[0] if len(parts) == 1 else {"$and": parts}
        parts = [{"$nex": {m: 1}} for m in members]  # none_of
        return parts[0] if len(parts) == 1 else {"$and": parts}
    if op == "eq":
        return {key: val}
    if op in _CMP:
        return {_CMP[op]: {key: val}}
    if op == "exists":
        return {"$ex": {key: 1}} if val else {"$nex": {key: 1}}
    if op == "in":
        parts = [{key: v} for v in val]
        return parts[0] if len(parts) == 1 else {"$or": parts}
    if op == "not_in":
        parts = [{"$neq": {key: v}} for v in val]
        return parts[0] if len(parts) == 1 else {"$and": parts}
    raise ValueError(f"unknown operator {op}")


def compile_side(side: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """A rule's client or service conditions as one durable-rules pattern over one fact."""
    parts: list[dict[str, Any]] = []
    for field, cond in side.items():
        if field == "any":
            groups = [compile_side(g, fields) for g in cond]
            parts.append(groups[0] if len(groups) == 1 else {"$or": groups})
        else:
            parts.append(_field_pattern(field, fields[field], cond))
    return parts[0] if len(parts) == 1 else {"$and": parts}


CLIENT = CLIENT_FIELDS
SERVICE = SERVICE_FIELDS
