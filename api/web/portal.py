"""The partner portal: the organisation's services (register, edit, translations),
their capacity (open, waiting list, full until), and an HSDS file upload with its
import report. Every write calls the API's own route function, so the checks, the
versions (If-Match: the form carries the version it was read at) and the audit are
the API's."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import Service
from freechoice.catalog import models as catalog_models
from freechoice.catalog.taxonomy import SERVICE_KINDS

from ..routes.hsds import import_hsds
from ..routes.services import (
    SERVICE_READ_ONLY,
    SERVICES,
    CapacityUpdate,
    create_service,
    get_service,
    list_services,
    update_capacity,
    update_service,
)
from ..schemas import ServiceWrite
from .calls import Refused, call, every_item
from .deps import PAGES, PartnerStaff
from .i18n import N_
from .security import WebError

__all__ = ["router"]

router = APIRouter()
MAX_UPLOAD = 20 * 1024 * 1024  # an HSDS file; the app's body limit applies first
REPORTING = {
    "never": N_("Never reports clients to the authorities"),
    "with_consent": N_("Reports to the authorities only with the client's consent"),
    "mandatory": N_("Must report clients to the authorities"),
}
#: a service's words a partner translates (those the model has)
TRANSLATED_FIELDS = ("name", "description", "application_process")
CAPACITY = {"open": N_("Open"), "waitlist": N_("Waiting list"), "full": N_("Full")}


async def _in_thread(fn: Any, *args: Any) -> Any:
    """Run a blocking call (the database, the API's function) off the event loop."""
    return await run_in_threadpool(fn, *args)


def _service(request: Request, who: Any, service_id: str) -> dict[str, Any]:
    with request.app.state.freechoice.db.session() as db:
        try:
            resp = call(get_service, service_id, who, db, request, None)
        except Refused as refused:
            raise WebError(404, N_("There is no such service.")) from refused
    body: dict[str, Any] = orjson.loads(bytes(resp.body))
    return body


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    kinds = sorted(SERVICE_KINDS.values(), key=lambda k: k.label)
    return PAGES.render(
        request,
        template,
        {"kinds": kinds, "reporting": REPORTING, "capacity_labels": CAPACITY, **context},
        status=status,
    )


@router.get("/web/services")
def services(request: Request, person: PartnerStaff) -> Response:
    with request.app.state.freechoice.db.session() as db:
        rows = every_item(
            list_services, SERVICES, request, person.principal, db, organization_id=None, kind=None, status=None
        )
    return _render(request, "portal.html", {"services": rows})


def _form_service(form: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The service ``base`` with the form's fields over it (the rest kept as stored)."""
    data = {k: v for k, v in base.items() if k not in SERVICE_READ_ONLY}
    data["name"] = form.get("name", "").strip()
    data["description"] = form.get("description", "").strip()
    data["kinds"] = list(form.get("kinds") or [])
    data["languages"] = [x.strip() for x in form.get("languages", "").replace(";", ",").split(",") if x.strip()]
    for key in ("phone", "email", "url"):
        data[key] = form.get(key, "").strip() or None
    data["reports_to_authorities"] = form.get("reports_to_authorities") or "never"
    country, area, city = (form.get(k, "").strip() for k in ("country", "area", "city"))
    if country:
        data["location"] = {
            **(base.get("location") or {}),
            "country": country.upper(),
            "area": area or None,
            "city": city or None,
        }
    if "application_process" in Service.model_fields:
        data["application_process"] = form.get("application_process", "").strip() or None
    if "translations" in Service.model_fields:
        translations: dict[str, dict[str, str]] = {}
        for lang in form.get("translation_langs") or []:
            texts = {f: form.get(f"{f}_{lang}", "").strip() for f in TRANSLATED_FIELDS}
            texts = {f: v for f, v in texts.items() if v}
            if texts:  # a provenance alone is no translation
                provenance = form.get(f"provenance_{lang}", "").strip()
                translations[lang] = {**texts, **({"provenance": provenance} if provenance else {})}
        data["translations"] = translations
    return data


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    out["kinds"] = [str(v) for v in form.getlist("kinds")]
    out["translation_langs"] = [str(v) for v in form.getlist("translation_langs")]
    return out


def _translation_langs(request: Request) -> list[str]:
    """The client languages a partner can give a service's words in (none until services carry translations)."""
    if "translations" not in Service.model_fields:
        return []
    return list(getattr(catalog_models, "TRANSLATION_LANGUAGES", ()))


@router.get("/web/services/new")
def new_service(request: Request, person: PartnerStaff) -> Response:
    blank = {"id": "", "organization_id": person.organization_id, "kinds": [], "languages": [], "location": {}}
    return _render(
        request,
        "service_form.html",
        {"service": blank, "new": True, "error": None, "langs": _translation_langs(request)},
    )


@router.post("/web/services/new")
async def register_service(request: Request, person: PartnerStaff) -> Response:
    form = await _form(request)
    data = _form_service(form, {"id": form.get("id", "").strip(), "organization_id": person.organization_id})
    state = request.app.state.freechoice

    def create() -> Any:
        service = ServiceWrite.model_validate(data)
        with state.db.session() as db:
            return create_service(service, request, person.principal, db, state)

    try:
        await _in_thread(call, create)
    except Refused as refused:
        context = {"service": data, "new": True, "error": refused, "langs": _translation_langs(request)}
        return _render(request, "service_form.html", context, status=refused.status)
    return RedirectResponse(f"/web/services/{data['id']}?saved=1", status_code=303)


@router.get("/web/services/{service_id}")
def edit_service(request: Request, service_id: str, person: PartnerStaff, saved: int = 0) -> Response:
    service = _service(request, person.principal, service_id)
    context = {"service": service, "new": False, "error": None, "saved": saved, "langs": _translation_langs(request)}
    return _render(request, "service_form.html", context)


@router.post("/web/services/{service_id}")
async def save_service(request: Request, service_id: str, person: PartnerStaff) -> Response:
    form = await _form(request)
    current = await _in_thread(_service, request, person.principal, service_id)
    data = _form_service(form, current)
    state = request.app.state.freechoice
    version = form.get("version", "")

    def update() -> Any:
        service = ServiceWrite.model_validate(data)
        with state.db.session() as db:
            return update_service(service_id, service, person.principal, db, state, f'"{version}"')

    try:
        await _in_thread(call, update)
    except Refused as refused:
        if refused.status == 404:
            raise WebError(404, N_("There is no such service.")) from refused
        data["version"] = current["version"]
        context = {"service": data, "new": False, "error": refused, "langs": _translation_langs(request)}
        return _render(request, "service_form.html", context, status=refused.status)
    return RedirectResponse(f"/web/services/{service_id}?saved=1", status_code=303)


@router.post("/web/services/{service_id}/capacity")
def save_capacity(
    request: Request,
    service_id: str,
    person: PartnerStaff,
    status: Annotated[str, Form(max_length=16)] = "",
    until: Annotated[str, Form(max_length=32)] = "",
    version: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    state = request.app.state.freechoice

    def update() -> Any:
        body = CapacityUpdate.model_validate({"status": status, "until": until or None})
        with state.db.session() as db:
            return update_capacity(service_id, body, person.principal, db, state, f'"{version}"')

    try:
        call(update)
    except Refused as refused:
        if refused.status == 404:
            raise WebError(404, N_("There is no such service.")) from refused
        service = _service(request, person.principal, service_id)
        context = {"service": service, "new": False, "error": refused, "langs": _translation_langs(request)}
        return _render(request, "service_form.html", context, status=refused.status)
    return RedirectResponse(f"/web/services/{service_id}?saved=1", status_code=303)


@router.get("/web/services-import")
def import_form(request: Request, person: PartnerStaff) -> Response:
    return _render(request, "hsds_import.html", {"report": None, "error": None})


@router.post("/web/services-import")
async def import_file(
    request: Request,
    person: PartnerStaff,
    file: Annotated[UploadFile, File()],
    lenient: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    raw = await file.read(MAX_UPLOAD + 1)
    state = request.app.state.freechoice
    try:
        if len(raw) > MAX_UPLOAD:
            raise Refused(413, f"the file is over {MAX_UPLOAD // (1024 * 1024)} MB")
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise Refused(422, f"the file is not JSON: {err}") from None

        def run() -> dict[str, Any]:
            with state.db.session() as db:
                return import_hsds(
                    person.principal, db, state, document, person.organization_id, bool(lenient), None, True
                )

        report = await _in_thread(call, run)
    except Refused as refused:
        return _render(request, "hsds_import.html", {"report": None, "error": refused}, status=refused.status)
    return _render(request, "hsds_import.html", {"report": report, "error": None, "filename": file.filename})
