"""Cash-plus pages (issue 12): a client's transfer schedule with each transfer's
status, recording a payment with its proof (under the signed-in person's name), the
board of late and missed transfers across the organisation, and the client's spending
plan with every version. Every read and write goes through the library functions the
API routes call (:mod:`freechoice.api.casework`), which audit them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import ConflictError, Problem, ValidationFailed
from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import TransferRow

from ..casework import _ranked_needs, client_transfers, plan_history, record_payment, save_plan, transfers_board
from ..problems import ProblemError
from ..records import audited_read
from .accounts import Person
from .casework_common import (
    as_of_day,
    client_language,
    currency_word,
    errors_by_field,
    library,
    money,
    need_label,
    problems_of,
)
from .deps import PAGES, Caseworker
from .i18n import N_
from .security import WebError

__all__ = ["METHOD_TEXT", "STATUS_TEXT", "router"]

router = APIRouter()

STATUS_TEXT = {"due": N_("due"), "paid": N_("paid"), "late": N_("late"), "missed": N_("missed")}
METHOD_TEXT = {"bank": N_("bank transfer"), "mobile_money": N_("mobile money"), "cash_in_hand": N_("cash in hand")}


def _db(request: Request) -> Any:
    return request.app.state.freechoice.db


@router.get("/web/clients/{client_ref}/cash")
def client_cash(
    request: Request, client_ref: str, person: Caseworker, as_of: str | None = None, lang: str | None = None
) -> Response:
    day = as_of_day(as_of)
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        body = library(lambda: client_transfers(s, person.principal, client_ref, programme, today=day))
    client_lang = client_language(request, person, client_ref, lang)
    return PAGES.render(
        request,
        "cash_client.html",
        {
            "ref": client_ref,
            "t": body,
            "status_text": STATUS_TEXT,
            "method_text": METHOD_TEXT,
            "money": money,
            "chosen_lang": client_lang,
        },
    )


def _own_transfer(request: Request, transfer_id: str, person: Person) -> TransferRow:
    with _db(request).session() as s:
        row = s.get(TransferRow, transfer_id)
        if row is None or row.organization_id != person.organization_id:
            raise WebError(404, N_("There is no such transfer."))
        s.expunge(row)
        audited_read(s, person.principal, "transfer", row.id, row.client_ref)
    return row


def _payment_form(
    request: Request,
    row: TransferRow,
    *,
    form: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> Response:
    programme = request.app.state.freechoice.programme
    values = form or {"paid_on": as_of_day(None).isoformat(), "amount": str(row.amount), "method": row.method}
    return PAGES.render(
        request,
        "cash_payment.html",
        {
            "row": row,
            "form": values,
            "methods": [(m, METHOD_TEXT[m]) for m in programme.methods],
            "errors": errors_by_field(problems or []),
            "money": money,
            "currency_word": currency_word,
        },
        status=status,
    )


@router.get("/web/transfers/{transfer_id}/payment")
def payment_form(request: Request, transfer_id: str, person: Caseworker) -> Response:
    return _payment_form(request, _own_transfer(request, transfer_id, person))


@router.post("/web/transfers/{transfer_id}/payment")
async def payment_submit(request: Request, transfer_id: str, person: Caseworker) -> Response:
    form = await request.form()
    fields = {k: str(form.get(k) or "").strip()[:200] for k in ("paid_on", "amount", "method", "reference")}
    return await run_in_threadpool(_pay, request, transfer_id, person, fields)


def _pay(request: Request, transfer_id: str, person: Person, fields: dict[str, str]) -> Response:
    row = _own_transfer(request, transfer_id, person)
    raw = {k: v for k, v in fields.items() if v}
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        try:
            library(lambda: record_payment(s, person.principal, transfer_id, raw, programme, today=as_of_day(None)))
        except (ValidationFailed, ConflictError) as err:
            return _payment_form(request, row, form=fields, problems=problems_of(err), status=422)
    return RedirectResponse(f"/web/clients/{row.client_ref}/cash?paid={row.number}", status_code=303)


@router.get("/web/transfers")
def board(request: Request, person: Caseworker, as_of: str | None = None, show: str = "late") -> Response:
    day = as_of_day(as_of)
    statuses = ("late", "missed") if show != "all" else ()
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        body = transfers_board(s, person.principal, programme, today=day, statuses=statuses)
    return PAGES.render(
        request,
        "cash_board.html",
        {"b": body, "show": show, "status_text": STATUS_TEXT, "money": money, "as_of": as_of or ""},
    )


# --- the spending plan -------------------------------------------------------------


def _plan_page(
    request: Request,
    client_ref: str,
    person: Person,
    lang: str | None,
    *,
    form: dict[str, dict[str, str]] | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
    saved: bool = False,
) -> Response:
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        money_body = library(
            lambda: client_transfers(s, person.principal, client_ref, programme, today=as_of_day(None))
        )
        try:
            history = plan_history(s, person.principal, client_ref)["versions"]
        except ProblemError as err:  # no plan yet (the schedule above proved the client is ours)
            if err.status != 404:
                raise
            history = []
        needs = _ranked_needs(s, person.organization_id, client_ref)
    latest = {line["need"]: line for line in history[-1]["lines"]} if history else {}
    if form is None:
        form = {
            n: {"amount": str(latest[n]["amount"]) if n in latest else "", "note": latest.get(n, {}).get("note") or ""}
            for n in needs
        }
    # each problem shown next to its need's line (the library names lines by position)
    order = [n for n in needs if form.get(n, {}).get("amount")]
    errors: dict[str, list[Problem]] = {}
    for p in problems or []:
        field = p.field
        if field.startswith("lines[") and "]" in field:
            index = int(field[6 : field.index("]")])
            rest = field[field.index("]") + 1 :].lstrip(".") or "amount"
            field = f"{order[index]}.{rest}" if index < len(order) else "lines"
        errors.setdefault(field, []).append(p)
    client_lang = client_language(request, person, client_ref, lang)
    return PAGES.render(
        request,
        "cash_plan.html",
        {
            "ref": client_ref,
            "needs": [(n, need_label(n)) for n in needs],
            "form": form,
            "errors": errors,
            "history": list(reversed(history)),
            "paid": money_body["paid"],
            "due": money_body["due"],
            "currency": money_body["currency"],
            "money": money,
            "currency_word": currency_word,
            "need_label": need_label,
            "chosen_lang": client_lang,
            "saved": saved,
        },
        status=status,
        client_lang=client_lang,
    )


@router.get("/web/clients/{client_ref}/plan")
def plan_page(
    request: Request, client_ref: str, person: Caseworker, lang: str | None = None, saved: int = 0
) -> Response:
    return _plan_page(request, client_ref, person, lang, saved=bool(saved))


@router.post("/web/clients/{client_ref}/plan")
async def plan_submit(request: Request, client_ref: str, person: Caseworker) -> Response:
    form = await request.form()
    lines: dict[str, dict[str, str]] = {}
    for key in form:
        if key.startswith(("amount:", "note:")):
            kind, need = key.split(":", 1)
            lines.setdefault(need[:64], {})[kind] = str(form.get(key) or "").strip()[:500]
    lang = str(form.get("lang") or "") or None
    return await run_in_threadpool(_save_plan, request, client_ref, person, lines, lang)


def _save_plan(
    request: Request, client_ref: str, person: Person, lines: dict[str, dict[str, str]], lang: str | None
) -> Response:
    client_lang = client_language(request, person, client_ref, lang)
    with _db(request).session() as s:
        needs = _ranked_needs(s, person.organization_id, client_ref)
    ordered = [n for n in needs if lines.get(n, {}).get("amount")] + sorted(
        n for n in lines if n not in needs and lines[n].get("amount")
    )
    raw = {
        "lines": [
            {"need": n, "amount": lines[n]["amount"]} | ({"note": lines[n]["note"]} if lines[n].get("note") else {})
            for n in ordered
        ],
        "language": client_lang,
    }
    with _db(request).session() as s:
        try:
            with write_transaction(s):
                library(lambda: save_plan(s, person.principal, client_ref, raw))
        except ValidationFailed as err:
            return _plan_page(request, client_ref, person, lang, form=lines, problems=err.problems, status=422)
    suffix = f"&lang={client_lang}" if client_lang else ""
    return RedirectResponse(f"/web/clients/{client_ref}/plan?saved=1{suffix}", status_code=303)
