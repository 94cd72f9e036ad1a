"""Open Referral HSDS 3.1 over HTTP: import a directory; read services and the
freechoice taxonomy shaped like the HSDS 3.1 API (``/``, ``/services``,
``/services/{id}``, ``/taxonomies``, ``/taxonomy_terms``, paged).

The services of a deactivated organisation are not offered, so the reads leave them out
(a directory following this one sees them go, as from a complete listing);
``include_deactivated=true`` puts them in, each marked ``"organization_active": false``.
(The organisation itself reads nothing meanwhile: its keys and sessions stop.)"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy import Text, false, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from freechoice.catalog import SERVICE_KINDS, Catalog, Service
from freechoice.catalog.bulk import gc_paused
from freechoice.catalog.db import DatabaseCatalog, import_catalog, write_transaction
from freechoice.catalog.db.tables import OrganizationRow, ServiceRow
from freechoice.catalog.hsds import (
    HsdsImport,
    export_organization,
    export_service,
    parse_hsds,
    profile,
    taxonomy_objects,
)
from freechoice.catalog.hsds.sync import plan_sync
from freechoice.catalog.hsds.vocabulary import TAXONOMY_ID, kind_term, record_uuid
from freechoice.engine import ReferralGraph

from ..auth import Principal
from ..deps import Caller, DbSession, State, require_role
from ..params import IdQuery, Moment, PageNumber, PathId, TextQuery
from ..problems import ProblemError
from ..records import audit
from ..reports import HsdsAbout, HsdsImportReport, HsdsPage, HsdsProfile, HsdsService, HsdsTaxonomy, HsdsTaxonomyTerm

__all__ = ["router"]

router = APIRouter(prefix="/hsds", tags=["hsds"])
Writer = Annotated[Principal, Depends(require_role("partner", "admin"))]
Page = PageNumber
PerPage = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
_CHUNK = 500


@dataclass(frozen=True)
class _View:
    """One catalog version as the HSDS API reads it (built once per version). With
    in-database retrieval the services are not held (``services``/``by_uuid`` None): a
    read walks the database a page at a time (:meth:`DatabaseCatalog.__iter__`)."""

    version: str
    services: list[Service] | None
    by_uuid: dict[str, str] | None
    org_by_uuid: dict[str, str]


def _view(state: Any) -> _View:
    catalog: Catalog = state.current_catalog()
    view = getattr(state, "hsds_view", None)
    if view is None or view.version != catalog.version:
        orgs = {record_uuid("organization", o): o for o in catalog.organizations}
        if isinstance(catalog, DatabaseCatalog):
            view = _View(catalog.version, None, None, orgs)
        else:
            services = sorted(catalog, key=lambda s: s.id)
            view = _View(catalog.version, services, {record_uuid("service", s.id): s.id for s in services}, orgs)
        state.hsds_view = view
    return view  # type: ignore[no-any-return]


def _service_id(view: _View, catalog: Catalog, asked: str) -> str:
    """The freechoice id of ``asked`` (an HSDS uuid or a freechoice id)."""
    if view.by_uuid is not None:
        return view.by_uuid.get(asked, asked)
    if not isinstance(catalog, DatabaseCatalog) or asked in catalog:
        return asked
    return next((sid for sid in catalog.ids() if record_uuid("service", sid) == asked), asked)


def _page(items: Iterable[Any], page: int, per_page: int) -> dict[str, Any]:
    """The HSDS API ``Page``: total_items, total_pages, page_number, size, first_page,
    last_page, empty, and the page's ``contents`` (``items`` not a sequence: walked once,
    only the page kept)."""
    start, stop = (page - 1) * per_page, page * per_page
    if isinstance(items, Sequence):
        total = len(items)
        contents = list(items[start:stop])
    else:
        total, contents = 0, []
        for item in items:
            if start <= total < stop:
                contents.append(item)
            total += 1
    return _page_body(total, contents, page, per_page)


def _page_body(total: int, contents: list[Any], page: int, per_page: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _owners(db: Any, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(ids), _CHUNK):
        rows = db.execute(
            select(ServiceRow.id, ServiceRow.organization_id).where(ServiceRow.id.in_(ids[i : i + _CHUNK]))
        )
        out.update({sid: org for sid, org in rows})
    return out


@router.get(
    "",
    response_model=None,
    responses={200: {"model": HsdsAbout, "description": "About"}},
    summary="About this API and its relationship with HSDS",
)
def about(request: Request, who: Caller) -> dict[str, Any]:
    return {"version": "3.1", "openapi_url": str(request.url_for("openapi"))}


@router.post(
    "/import",
    response_model=None,
    responses={200: {"model": HsdsImportReport, "description": "What the import did"}},
    summary="Import HSDS 3.1 JSON (partner: own organisation only; admin: any)",
)
def import_hsds(
    who: Writer,
    db: DbSession,
    state: State,
    document: Annotated[
        Any,
        Body(
            description="A list of HSDS services with nested objects, or an object with "
            "'organizations' and 'services' (as the export produces)."
        ),
    ],
    organization_id: Annotated[
        str | None,
        Query(
            max_length=128,
            description="Import every service as this organisation's (the document's organisations are not "
            "imported): for a directory whose HSDS ids are the partner's own.",
        ),
    ] = None,
    lenient: Annotated[
        bool,
        Query(
            description="Import a record with an impossible value without that value, and "
            "leave out records that cannot be read; both are listed in the report "
            "('dropped', 'refused'). Default: refuse the whole document."
        ),
    ] = False,
    directory: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=128,
            pattern=r"^[A-Za-z0-9._:-]+$",
            description="Incremental sync with this directory: services not modified since the last_modified held are "
            "skipped, and (with complete=true) services of the directory it no longer lists are set inactive "
            "and listed under 'deactivated'.",
        ),
    ] = None,
    complete: Annotated[
        bool,
        Query(
            description="With directory: the document lists all of the directory's services "
            "(false: only changed ones; nothing is deactivated)."
        ),
    ] = True,
) -> dict[str, Any]:
    parsed = parse_hsds(document, organization_id=organization_id, lenient=lenient)
    named = {s.organization_id for s in parsed.services} | {o.id for o in parsed.organizations}
    foreign = sorted(named - {who.organization_id})
    if who.role == "partner" and foreign:
        raise ProblemError(
            403,
            "partners import their own organisation's services only",
            errors=[{"field": "organization_id", "message": f"not yours: {', '.join(foreign)}"}],
        )
    current = state.current_catalog(force=True)
    with write_transaction(db):  # the checks read inside the one transaction that writes
        if who.role == "partner":
            owners = _owners(db, [s.id for s in parsed.services])
            taken = sorted(sid for sid, org in owners.items() if org != who.organization_id)
            if taken:
                raise ProblemError(
                    403,
                    "these services belong to another organisation",
                    errors=[{"field": "id", "message": f"not yours: {', '.join(taken[:50])}"}],
                )
        if organization_id is not None and db.get(OrganizationRow, organization_id) is None:
            raise ProblemError(
                422,
                f"no organization {organization_id!r}",
                errors=[{"field": "organization_id", "message": "no such organization"}],
            )
        sync = None
        if directory is not None:
            held = [s for s in current if who.role != "partner" or s.organization_id == who.organization_id]
            sync = plan_sync(parsed, held, directory, deactivate_missing=complete)
        writing = parsed if sync is None else HsdsImport(parsed.organizations, sync.services)
        with gc_paused():  # a cycle is refused (422, named) before anything is written
            ReferralGraph(writing.applied_to(current, linked_only=True))
        summary = import_catalog(db, writing.organizations, writing.services, actor=who.key_id)
        audit(
            db,
            who,
            "sync" if sync else "import",
            "hsds",
            directory,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            deactivated=len(sync.deactivated) if sync else 0,
        )
    state.current_catalog(force=True)
    return {
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        **parsed.report(),
        **(sync.report() if sync else {}),
    }


def _one_to_one(service: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in service.items() if not isinstance(v, (list, dict))}


IncludeDeactivated = Annotated[
    bool,
    Query(
        description="Also the services of deactivated organisations (not offered), each marked "
        "'organization_active': false. Default: left out, as they are not offered."
    ),
]


def _shown(svc: Service, inactive: frozenset[str], include_deactivated: bool) -> bool:
    """Whether a read shows ``svc``: a deactivated organisation's service only when asked for."""
    return include_deactivated or svc.organization_id not in inactive


def _exported(svc: Service, inactive: frozenset[str], full: bool = True) -> dict[str, Any]:
    out = export_service(svc) if full else _one_to_one(export_service(svc))
    if svc.organization_id in inactive:
        out["organization_active"] = False
    return out


@router.get(
    "/services",
    response_model=None,
    responses={200: {"model": HsdsPage, "description": "A page (HSDS 3.1 Page)"}},
    summary="Services as HSDS 3.1, paged like the HSDS API (partners: their own)",
)
def list_services(
    who: Caller,
    db: DbSession,
    state: State,
    page: Page = 1,
    per_page: PerPage = 50,
    search: Annotated[str | None, Query(max_length=500, description="Words in the name or description.")] = None,
    organization_id: Annotated[
        str | None, Query(max_length=128, description="HSDS uuid or freechoice id of the organisation.")
    ] = None,
    taxonomy_term_id: Annotated[
        str | None, Query(max_length=128, description="A term of the freechoice taxonomy (a service kind).")
    ] = None,
    taxonomy_id: Annotated[
        str | None, Query(max_length=128, description="Services with any term of this taxonomy.")
    ] = None,
    modified_after: Annotated[Moment | None, Query(description="Changed on or after this time.")] = None,
    full: Annotated[bool, Query(description="Fully nested services (default: one-to-one fields only).")] = False,
    include_deactivated: IncludeDeactivated = False,
) -> dict[str, Any]:
    view = _view(state)
    catalog: Catalog = state.current_catalog()
    inactive = catalog.inactive_organizations
    if isinstance(catalog, DatabaseCatalog):
        org = view.org_by_uuid.get(organization_id, organization_id) if organization_id is not None else None
        body = _database_page(
            catalog,
            who,
            inactive,
            include_deactivated,
            org,
            taxonomy_id,
            taxonomy_term_id,
            modified_after,
            search,
            page,
            per_page,
        )
        body["contents"] = [_exported(s, inactive, full) for s in body["contents"]]
        return body
    keep: list[Callable[[Service], bool]] = []
    if who.role == "partner":
        keep.append(lambda s: s.organization_id == who.organization_id)
    if inactive:
        keep.append(lambda s: _shown(s, inactive, include_deactivated))
    if organization_id is not None:
        org = view.org_by_uuid.get(organization_id, organization_id)
        keep.append(lambda s: s.organization_id == org)
    if taxonomy_id is not None and taxonomy_id != TAXONOMY_ID:
        keep.append(lambda s: False)
    if taxonomy_term_id is not None:
        keep.append(lambda s: any(kind_term(k) == taxonomy_term_id for k in s.kinds))
    if search:
        words = search.casefold().split()
        keep.append(lambda s: all(w in f"{s.name} {s.description}".casefold() for w in words))
    if modified_after is not None:
        changed = set(db.scalars(select(ServiceRow.id).where(ServiceRow.updated_at >= modified_after)))
        keep.append(lambda s: s.id in changed)
    items: list[Service] = view.services or []
    if keep:
        items = [s for s in items if all(k(s) for k in keep)]
    body = _page(items, page, per_page)
    body["contents"] = [_exported(s, inactive, full) for s in body["contents"]]
    return body


def _database_page(
    catalog: DatabaseCatalog,
    who: Principal,
    inactive: frozenset[str],
    include_deactivated: bool,
    org: str | None,
    taxonomy_id: str | None,
    taxonomy_term_id: str | None,
    modified_after: Any,
    search: str | None,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """``GET /hsds/services`` on a database worker: the filters as SQL over the service
    columns, counted and paged there (ordered by id); only ``search`` (words in the name
    or description) reads the matching records, streamed, keeping only the page."""
    conditions: list[Any] = []
    if who.role == "partner":
        conditions.append(ServiceRow.organization_id == who.organization_id)
    if inactive and not include_deactivated:
        conditions.append(ServiceRow.organization_id.not_in(sorted(inactive)))
    if org is not None:
        conditions.append(ServiceRow.organization_id == org)
    if modified_after is not None:
        conditions.append(ServiceRow.updated_at >= modified_after)
    if taxonomy_term_id is not None:
        kinds = sorted(k for k in SERVICE_KINDS if kind_term(k) == taxonomy_term_id)
        conditions.append(ServiceRow.kinds.op("&&")(literal(kinds, ARRAY(Text))) if kinds else false())
    if taxonomy_id is not None and taxonomy_id != TAXONOMY_ID:
        conditions.append(false())
    if search:
        words = search.casefold().split()
        found = catalog.services_where(*conditions)
        return _page(
            (s for s in found if all(w in f"{s.name} {s.description}".casefold() for w in words)), page, per_page
        )
    total = catalog.count_where(*conditions)
    contents = list(catalog.services_where(*conditions, offset=(page - 1) * per_page, limit=per_page))
    return _page_body(total, contents, page, per_page)


@router.get(
    "/services/{service_id}",
    response_model=None,
    responses={200: {"model": HsdsService, "description": "The service"}},
    summary="One fully nested service as HSDS 3.1 (HSDS uuid or freechoice id)",
)
def get_service(
    service_id: PathId, who: Caller, state: State, include_deactivated: IncludeDeactivated = False
) -> dict[str, Any]:
    view = _view(state)
    catalog: Catalog = state.current_catalog()
    svc = catalog.get(_service_id(view, catalog, service_id))
    if svc is None or (who.role == "partner" and svc.organization_id != who.organization_id):
        raise ProblemError(404, "no such service")
    inactive = catalog.inactive_organizations
    if not _shown(svc, inactive, include_deactivated):
        raise ProblemError(
            404,
            f"service {svc.id!r} is not offered: its organisation {svc.organization_id!r} is deactivated "
            "(include_deactivated=true reads it)",
        )
    out = _exported(svc, inactive)
    out["organization"] = export_organization(catalog.organization(svc.organization_id))
    if svc.organization_id in inactive:
        out["organization"]["organization_active"] = False
    return out


@router.get(
    "/profile",
    response_model=None,
    responses={200: {"model": HsdsProfile, "description": "The profile"}},
    summary="The freechoice HSDS profile: a JSON Schema for each freechoice fact attribute",
)
def get_profile(who: Caller) -> dict[str, Any]:
    return profile()


@router.get(
    "/taxonomies",
    response_model=None,
    responses={200: {"model": HsdsPage, "description": "A page (HSDS 3.1 Page)"}},
    summary="The taxonomies this API uses (the freechoice taxonomy), paged",
)
def list_taxonomies(who: Caller, page: Page = 1, per_page: PerPage = 50) -> dict[str, Any]:
    return _page([taxonomy_objects()[0]], page, per_page)


@router.get(
    "/taxonomies/{taxonomy_id}",
    response_model=None,
    responses={200: {"model": HsdsTaxonomy, "description": "The taxonomy"}},
    summary="One taxonomy",
)
def get_taxonomy(taxonomy_id: PathId, who: Caller) -> dict[str, Any]:
    taxonomy = taxonomy_objects()[0]
    if taxonomy_id != taxonomy["id"]:
        raise ProblemError(404, "no such taxonomy")
    return taxonomy


@router.get(
    "/taxonomy_terms",
    response_model=None,
    responses={200: {"model": HsdsPage, "description": "A page (HSDS 3.1 Page)"}},
    summary="Terms of the freechoice taxonomy (service kinds and facts), paged",
)
def list_taxonomy_terms(
    who: Caller,
    page: Page = 1,
    per_page: PerPage = 50,
    taxonomy_id: IdQuery | None = None,
    search: Annotated[TextQuery | None, Query(description="Words in the name or description.")] = None,
) -> dict[str, Any]:
    terms = taxonomy_objects()[1]
    if taxonomy_id is not None:
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id]
    if search:
        words = search.casefold().split()
        terms = [t for t in terms if all(w in f"{t['name']} {t['description']}".casefold() for w in words)]
    return _page(terms, page, per_page)


@router.get(
    "/taxonomy_terms/{term_id}",
    response_model=None,
    responses={200: {"model": HsdsTaxonomyTerm, "description": "The term"}},
    summary="One taxonomy term",
)
def get_taxonomy_term(term_id: PathId, who: Caller) -> dict[str, Any]:
    for term in taxonomy_objects()[1]:
        if term["id"] == term_id:
            return term
    raise ProblemError(404, "no such taxonomy term")
