"""Page 3, choice and consent, in two steps that work without JavaScript:

1. the client ticks options (and the cash), or says none of these, or decide later;
2. for each chosen provider, what would be shared, field by field in plain words with
   this client's own values (nothing beyond what is always needed unless ticked), and
   the spending plan against the cash; then the choice is recorded exactly as
   POST /option-lists/{id}/choices records it (:func:`freechoice.api.proposals.new_choice`).

The last page shows what was recorded and links to the handout.
"""

from __future__ import annotations

import re
from typing import Any

from babel.numbers import get_currency_name
from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import NEEDS, ChoiceError, Problem
from freechoice.catalog.db.tables import AssessmentRow, ChoiceRow, OptionListRow, ReferralRow
from freechoice.engine import ALWAYS_SHARED, CONSENT_FIELDS, Assessment, OptionList, ReferralDraft, choose, shared_view
from freechoice.engine.choices import CONSENT_FIELD_TEXT
from freechoice.engine.text import format_money

from ..proposals import new_choice
from ..records import audited_read
from .accounts import Person
from .deps import PAGES, Caseworker
from .i18n import N_, translator
from .options import client_lang_of, own_option_list
from .security import WebError
from .templating import user_language
from .views import shared_value

__all__ = ["handout_url", "router"]

router = APIRouter()
_NUMBER = re.compile(r"^\d{1,12}([.,]\d{1,2})?$")


def handout_url(list_id: str, lang: str | None) -> str:
    """The printable handout of the list (GET /option-lists/{id}/handout; the session
    cookie signs the request in, as for every GET of the API)."""
    return f"/option-lists/{list_id}/handout" + (f"?lang={lang}" if lang else "")


def _assessment(request: Request, row: OptionListRow, person: Person) -> Assessment:
    with request.app.state.freechoice.db.session() as s:
        found = s.get(AssessmentRow, row.assessment_id)
        assert found is not None  # a list always has its assessment
        data = found.data
        audited_read(s, person.principal, "assessment", row.assessment_id, row.client_ref)
    return Assessment.model_validate(data)


def _offered(ol: OptionList) -> list[dict[str, Any]]:
    return [
        {"need": n, "label": NEEDS[n.need].label if n.need in NEEDS else n.label, "options": n.options}
        for n in ol.needs
        if n.options
    ]


def _consent_rows(ol: OptionList, chosen: list[str], assessment: Assessment) -> list[dict[str, Any]]:
    """Per chosen provider: every field that could be shared, its words and this client's value."""
    rows = []
    for oid in chosen:
        if oid == ol.cash.option_id:
            continue
        o = ol.option(oid)
        need = next(n.need for n in ol.needs if any(x.option_id == oid for x in n.options))
        everything = ReferralDraft(
            option_id=oid,
            need=need,
            service_id=o.service_id,
            service_name=o.service_name,
            provider_id=o.provider_id,
            provider_name=o.provider_name,
            shared_fields=list(CONSENT_FIELDS),
        )
        values = shared_view(everything, assessment)
        rows.append(
            {
                "option": o,
                "fields": [
                    {"name": f, "text": CONSENT_FIELD_TEXT[f], "value": values.get(f), "always": f in ALWAYS_SHARED}
                    for f in CONSENT_FIELDS
                ],
            }
        )
    return rows


#: a chosen service no longer offered (:func:`freechoice.api.proposals.check_still_offered`)
_NOT_OFFERED_TEXT = {
    "organization_inactive": N_(
        "%(service)s can no longer take referrals: %(provider)s is no longer active. Choose another option."
    ),
    "service_inactive": N_(
        "%(service)s can no longer take referrals: %(provider)s no longer offers it. Choose another option."
    ),
    "service_gone": N_("%(service)s of %(provider)s is no longer in the directory. Choose another option."),
}


def _in_words(problems: list[Problem], ol: OptionList, lang: str) -> list[Problem]:
    """The spending plan's problems in the client's words (the library's are for
    programs): a plan over the money, an amount that is not one; and a chosen service
    that is no longer offered."""
    t = translator(lang)
    out = []
    for p in problems:
        if p.field == "spending_plan" and isinstance(p.value, (int, float)):
            money = ol.cash.amount_per_transfer * ol.cash.transfers
            text = t(
                N_("The plan adds up to %(total)s: more than the %(available)s the money brings."),
                total=format_money(p.value, ol.cash.currency, t.lang),
                available=format_money(money, ol.cash.currency, t.lang),
            )
            p = Problem(p.field, text, None, p.value)
        elif p.field.startswith("spending_plan[") and p.field.endswith(".amount"):
            p = Problem(p.field, t(N_("Write an amount of 0 or more, in figures.")), None, p.value)
        elif p.field == "option_ids" and isinstance(p.value, dict) and p.value.get("why") in _NOT_OFFERED_TEXT:
            text = t(_NOT_OFFERED_TEXT[p.value["why"]], service=p.value["service"], provider=p.value["provider"])
            p = Problem(p.field, text, None, p.value)
        out.append(p)
    return out


def _render(
    request: Request,
    ol: OptionList,
    *,
    step: str,
    lang: str | None,
    chosen: list[str],
    assessment: Assessment | None = None,
    consent: dict[str, list[str]] | None = None,
    plan: dict[str, str] | None = None,
    note: str = "",
    problems: list[Problem] | None = None,
    status: int = 200,
) -> Response:
    client_lang = client_lang_of(request, lang)
    words_lang = client_lang or user_language(request, request.state.web_person)
    return PAGES.render(
        request,
        "choose.html",
        {
            "ol": ol,
            "step": step,
            "chosen_lang": client_lang,
            "offered": _offered(ol),
            "chosen": chosen,
            "cash": ol.cash,
            "cash_chosen": ol.cash.option_id in chosen,
            "cash_total": ol.cash.amount_per_transfer * ol.cash.transfers,
            "consent_rows": _consent_rows(ol, chosen, assessment) if assessment is not None else [],
            "consent": consent or {},
            "plan": plan or {},
            "plan_needs": [(nid, NEEDS[nid].label if nid in NEEDS else nid) for nid in ol.cash.plan_needs],
            "note": note,
            "problems": _in_words(problems or [], ol, words_lang),
            # amounts with the currency in words, never its code
            "money": lambda amount: format_money(amount, ol.cash.currency, words_lang),
            "currency_name": get_currency_name(ol.cash.currency, locale=words_lang),
            "shared_value": shared_value,
        },
        status=status,
        client_lang=client_lang,
    )


@router.get("/web/options/{list_id}/choose")
def choose_form(request: Request, list_id: str, person: Caseworker, lang: str | None = None) -> Response:
    row = own_option_list(request, list_id, person)
    return _render(request, OptionList.model_validate(row.data), step="pick", lang=lang, chosen=[])


@router.post("/web/options/{list_id}/choose")
async def choose_submit(request: Request, list_id: str, person: Caseworker) -> Response:
    form = await request.form()
    fields = {
        "chosen": [v for v in form.getlist("option") if isinstance(v, str)][:100],
        "decision": form.get("decision"),
        "step": form.get("step"),
        "lang": form.get("lang") or None,
        "note": str(form.get("note") or "")[:2000],
        "consent": {
            key.removeprefix("consent:"): [v for v in form.getlist(key) if isinstance(v, str)]
            for key in form
            if key.startswith("consent:")
        },
        "plan": {
            key.removeprefix("plan:"): str(form.get(key) or "").strip() for key in form if key.startswith("plan:")
        },
    }
    return await run_in_threadpool(_submit, request, list_id, person, fields)


def _plan_lines(plan: dict[str, str]) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for need, amount in plan.items():
        if amount:
            value: Any = float(amount.replace(",", ".")) if _NUMBER.match(amount) else amount
            lines.append({"need": need, "amount": value})
    return lines


def _unticks(err: ChoiceError) -> bool:
    return any(p.field == "option_ids" for p in err.problems)


def _submit(request: Request, list_id: str, person: Person, f: dict[str, Any]) -> Response:
    row = own_option_list(request, list_id, person)
    ol = OptionList.model_validate(row.data)
    decision = f["decision"] if f["decision"] in ("chosen", "none_of_these", "decide_later") else "chosen"
    chosen = list(dict.fromkeys(f["chosen"])) if decision == "chosen" else []
    if f["step"] != "confirm" and decision == "chosen":
        # step 1 -> 2: check the ticks with the library, then ask about consent and the plan
        try:
            choose(ol, chosen, decision="chosen")
        except ChoiceError as err:
            return _render(request, ol, step="pick", lang=f["lang"], chosen=chosen, problems=err.problems, status=422)
        return _render(
            request, ol, step="consent", lang=f["lang"], chosen=chosen, assessment=_assessment(request, row, person)
        )
    consent = {oid: fields for oid, fields in f["consent"].items() if oid in chosen}
    with request.app.state.freechoice.db.session() as s:
        try:
            made = new_choice(
                s,
                row,
                chosen,
                decision=decision,
                consent=consent,
                note=f["note"] or None,
                spending_plan=_plan_lines(f["plan"]) if ol.cash.option_id in chosen else [],
                programme=request.app.state.freechoice.programme,
                state=request.app.state.freechoice,
            )
        except ChoiceError as err:
            return _render(
                request,
                ol,
                # a chosen option that cannot be taken: back to the ticks
                step="consent" if decision == "chosen" and not _unticks(err) else "pick",
                lang=f["lang"],
                chosen=chosen,
                assessment=_assessment(request, row, person),
                consent=consent,
                plan=f["plan"],
                note=f["note"],
                problems=err.problems,
                status=422,
            )
    try:
        with request.app.state.freechoice.db.writing() as s:
            body = made.write(s, person.principal)
    except ChoiceError as err:  # a chosen service stopped being offered since the list was made
        return _render(
            request,
            ol,
            step="pick",
            lang=f["lang"],
            chosen=chosen,
            problems=err.problems,
            status=422,
        )
    suffix = f"?lang={f['lang']}" if client_lang_of(request, f["lang"]) else ""
    return RedirectResponse(f"/web/choices/{body['id']}{suffix}", status_code=303)


@router.get("/web/choices/{choice_id}")
def show_choice(request: Request, choice_id: str, person: Caseworker, lang: str | None = None) -> Response:
    with request.app.state.freechoice.db.session() as s:
        row = s.get(ChoiceRow, choice_id)
        if row is None or row.organization_id != person.organization_id:
            raise WebError(404, N_("There is no such choice."))
        data, list_id = row.data, row.option_list_id
        referrals = list(s.scalars(select(ReferralRow).where(ReferralRow.choice_id == choice_id)))
        shared = {r.service_id: r.shared for r in referrals}
        audited_read(s, person.principal, "choice", choice_id, data.get("client_ref"))
    client_lang = client_lang_of(request, lang)
    return PAGES.render(
        request,
        "chosen.html",
        {
            "choice": data,
            "list_id": list_id,
            "shared": shared,
            "handout": handout_url(list_id, client_lang),
            "chosen_lang": client_lang,
            "need_labels": {nid: need.label for nid, need in NEEDS.items()},
            "field_text": CONSENT_FIELD_TEXT,
            "shared_value": shared_value,
        },
        client_lang=client_lang,
    )
