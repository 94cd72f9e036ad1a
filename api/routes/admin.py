"""Rule packs (list, validate, dry-run, activate) and the audit log: admin work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import Response

from freechoice.catalog import ValidationFailed
from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import AssessmentRow, AuditEntry, RulePackRow
from freechoice.engine import Assessment, compile_rules, propose
from freechoice.rules import parse_pack

from ..auth import Principal
from ..deps import Caller, DbSession, State, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import ClientRefQuery, IdQuery, Moment
from ..problems import ProblemError
from ..records import audit, audited_read
from ..reports import ActiveRules, DryRunResult, PackValidation, RulesActivated
from ..schemas import AuditRecord, RuleVersion
from ..times import rfc3339

__all__ = ["router"]

router = APIRouter()
Admin = Annotated[Principal, Depends(require_role("admin"))]
AUDIT = Paging("audit", keys=(int,), descending=True)
RULE_VERSIONS = Paging("rule-versions", keys=(int,), descending=True)


class PackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: dict[str, Any]


class DryRun(PackBody):
    assessment_id: str = Field(max_length=64)


def _compile(pack: dict[str, Any]) -> Any:
    return compile_rules(parse_pack(pack, source="candidate rule pack"))


@router.get(
    "/rules",
    tags=["rules"],
    response_model=None,
    responses={200: {"model": ActiveRules, "description": "The rules in force"}},
    summary="The active rule packs and their version",
)
def active_rules(_: Caller, state: State) -> dict[str, Any]:
    rules = state.rules
    return {
        "version": rules.version,
        "packs": [{"pack": p.pack, "description": p.description, "rules": len(p.rules)} for p in rules.packs],
        "rules": [
            {"id": r.id, "pack": rules.pack_of[r.id], "effect": r.then.kind, "description": r.description}
            for r in rules.rules
        ],
    }


@router.post(
    "/rules/validate",
    tags=["rules"],
    response_model=None,
    responses={200: {"model": PackValidation, "description": "Valid, or every problem"}},
    summary="Validate a candidate rule pack (admin)",
)
def validate_pack(body: PackBody, _: Admin) -> dict[str, Any]:
    try:
        compiled = _compile(body.pack)
    except ValidationFailed as err:
        return {"valid": False, "problems": [p.as_dict() for p in err.problems]}
    return {"valid": True, "version": compiled.version, "rules": len(compiled.rules), "problems": []}


def _summary(ol: Any) -> dict[str, Any]:
    return {n.need: [o.service_id for o in n.options] for n in ol.needs}


@router.post(
    "/rules/dry-run",
    tags=["rules"],
    response_model=None,
    responses={200: {"model": DryRunResult, "description": "What would change"}},
    summary="Run a candidate pack against a stored assessment (admin)",
)
def dry_run(body: DryRun, who: Admin, db: DbSession, state: State) -> dict[str, Any]:
    row = db.get(AssessmentRow, body.assessment_id)
    if row is None:
        raise ProblemError(404, "no such assessment")
    audited_read(db, who, "assessment", row.id, row.client_ref, purpose="rules dry-run")
    candidate = _compile(body.pack)
    a = Assessment.model_validate(row.data)
    catalog = state.current_catalog()
    now = propose(a, catalog, state.rules, list_id="dry-run-active", children=state.children)
    then = propose(a, catalog, candidate, list_id="dry-run-candidate", children=state.children)
    before, after = _summary(now), _summary(then)
    return {
        "active_version": state.rules.version,
        "candidate_version": candidate.version,
        "changes": {
            need: {"before": before.get(need, []), "after": after.get(need, [])}
            for need in sorted(set(before) | set(after))
            if before.get(need) != after.get(need)
        },
        "option_list": then.model_dump(mode="json"),
    }


@router.post(
    "/rules/activate",
    tags=["rules"],
    response_model=None,
    responses={200: {"model": RulesActivated, "description": "The pack now in force"}},
    summary="Activate a rule pack for every worker (admin)",
)
def activate(body: PackBody, who: Admin, db: DbSession, state: State) -> dict[str, Any]:
    compiled = _compile(body.pack)
    with write_transaction(db):
        row = RulePackRow(version=compiled.version, data=body.pack, activated_by=who.key_id)
        db.add(row)
        db.flush()
        audit(db, who, "activate", "rules", compiled.version)
    state.set_rules(compiled, row.id)
    return {"version": compiled.version, "rules": len(compiled.rules)}


@router.get(
    "/rules/versions",
    tags=["rules"],
    response_model=None,
    responses=page_of(RuleVersion, "Newest first: the first one is in force"),
    summary="Every rule pack activated, newest first (admin)",
)
def rule_versions(_: Admin, db: DbSession, page: Annotated[PageRequest, Depends(RULE_VERSIONS.dependency)]) -> Response:
    q = select(RulePackRow.id, RulePackRow.version, RulePackRow.activated_at, RulePackRow.activated_by)
    rows = list(db.execute(page.apply(q, RulePackRow.id)))
    return page.respond(
        rows,
        key=lambda r: (r.id,),
        item=lambda r: {
            "id": r.id,
            "version": r.version,
            "activated_at": rfc3339(r.activated_at),
            "activated_by": r.activated_by,
        },
    )


@router.get(
    "/audit",
    tags=["audit"],
    response_model=None,
    responses=page_of(AuditRecord, "Newest first"),
    summary="Query the append-only audit log (admin)",
)
def query_audit(
    _: Admin,
    db: DbSession,
    page: Annotated[PageRequest, Depends(AUDIT.dependency)],
    key_id: IdQuery | None = None,
    organization_id: IdQuery | None = None,
    resource: IdQuery | None = None,
    client_ref: ClientRefQuery | None = None,
    action: IdQuery | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
) -> Response:
    q = select(AuditEntry)
    for column, value in (
        (AuditEntry.key_id, key_id),
        (AuditEntry.organization_id, organization_id),
        (AuditEntry.resource, resource),
        (AuditEntry.client_ref, client_ref),
        (AuditEntry.action, action),
    ):
        if value is not None:
            q = q.where(column == value)
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    rows = list(db.scalars(page.apply(q, AuditEntry.id)))
    return page.respond(
        rows,
        key=lambda e: (e.id,),
        item=lambda e: {
            "id": e.id,
            "at": rfc3339(e.at),
            "key_id": e.key_id,
            "organization_id": e.organization_id,
            "role": e.role,
            "action": e.action,
            "resource": e.resource,
            "resource_id": e.resource_id,
            "client_ref": e.client_ref,
            "detail": e.detail,
        },
    )
