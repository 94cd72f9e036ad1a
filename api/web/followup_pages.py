"""Follow-up pages (issue 12): the organisation's follow-ups due (the programme's
default: monthly for three months, then at six), the follow-up form (actual spending
and an outcome per need, referral outcomes, a re-ranking of the 21 needs, the client's
own words), and the client's journey: how their priorities and outcomes changed, as
a table and a small SVG drawn on the server. Reads and writes go through the library
functions the API routes call, which audit them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from freechoice.catalog import NEED_IDS, NEEDS, Problem, ValidationFailed, problems_from_pydantic
from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import AssessmentRow, ChoiceRow, OptionListRow, ReferralRow
from freechoice.engine.casework import OUTCOMES, REFERRAL_OUTCOMES, FollowUp

from ..casework import _ranked_needs, add_follow_up, client_follow_ups, client_journey, due_follow_ups
from ..records import audited_read
from .accounts import Person
from .casework_common import as_of_day, client_language, errors_by_field, library, need_label
from .deps import PAGES, Caseworker
from .i18n import N_, Translator, translator
from .templating import user_language

__all__ = ["OUTCOME_TEXT", "REFERRAL_TEXT", "journey_svg", "router"]

router = APIRouter()

OUTCOME_TEXT = {
    "met": N_("met"),
    "partly": N_("partly met"),
    "not_yet": N_("not yet"),
    "no_longer_priority": N_("no longer a priority"),
}
REFERRAL_TEXT = {
    "helped": N_("it helped"),
    "partly_helped": N_("it helped a little"),
    "not_helped": N_("it did not help"),
    "not_used": N_("not used"),
}
DUE_TEXT = {"done": N_("held"), "due": N_("due"), "overdue": N_("overdue"), "upcoming": N_("upcoming")}
#: fills of the journey's cells: outcome -> (fill, ink); contrast 4.5:1 or more
_FILLS = {
    "met": ("#1d6b2f", "#ffffff"),
    "partly": ("#ffd166", "#1a1a1a"),
    "not_yet": ("#a4000f", "#ffffff"),
    "no_longer_priority": ("#d0d3d8", "#1a1a1a"),
    "": ("#ffffff", "#1a1a1a"),
}


def _db(request: Request) -> Any:
    return request.app.state.freechoice.db


@router.get("/web/follow-ups")
def due_list(request: Request, person: Caseworker, as_of: str | None = None, upcoming: int = 0) -> Response:
    day = as_of_day(as_of)
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        body = due_follow_ups(s, person.principal, programme, today=day, include_upcoming=bool(upcoming))
    return PAGES.render(
        request,
        "followups_due.html",
        {"d": body, "due_text": DUE_TEXT, "upcoming": bool(upcoming), "as_of": as_of or ""},
    )


def _referrals(request: Request, s: Any, person: Person, client_ref: str) -> list[dict[str, Any]]:
    """The client's referrals (their choices' services), read under the audit log."""
    rows = s.execute(
        select(ReferralRow.id, ReferralRow.provider_id, ReferralRow.need, ReferralRow.service_id)
        .join(ChoiceRow, ReferralRow.choice_id == ChoiceRow.id)
        .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id)
        .where(ReferralRow.organization_id == person.organization_id, OptionListRow.client_ref == client_ref)
        .order_by(ReferralRow.created_at)
    ).all()
    if rows:
        audited_read(s, person.principal, "referral", None, client_ref, listed=len(rows))
    catalog = request.app.state.freechoice.current_catalog()
    out = []
    for rid, provider, need, service_id in rows:
        found = catalog.get(service_id)
        out.append({"id": rid, "provider_id": provider, "need": need, "service": found.name if found else service_id})
    return out


def _form_page(
    request: Request,
    client_ref: str,
    person: Person,
    lang: str | None,
    *,
    form: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> Response:
    with _db(request).session() as s:
        held = library(lambda: client_follow_ups(s, person.principal, client_ref))["items"]
        needs = _ranked_needs(s, person.organization_id, client_ref)
        referrals = _referrals(request, s, person, client_ref)
    current = _current_ranking(request, person, client_ref)
    if form is None:
        form = {"on": as_of_day(None).isoformat(), "rank": {n: str(p) for n, p in current.items()}}
    client_lang = client_language(request, person, client_ref, lang)
    return PAGES.render(
        request,
        "followup_form.html",
        {
            "ref": client_ref,
            "held": len(held),
            "needs": [(n, need_label(n)) for n in needs],
            "all_needs": [(n, NEEDS[n].label) for n in NEED_IDS],
            "referrals": referrals,
            "outcomes": [(o, OUTCOME_TEXT[o]) for o in OUTCOMES],
            "referral_outcomes": [(o, REFERRAL_TEXT[o]) for o in REFERRAL_OUTCOMES],
            "form": form,
            "errors": errors_by_field(problems or []),
            "need_label": need_label,
            "chosen_lang": client_lang,
        },
        status=status,
        client_lang=client_lang,
    )


def _current_ranking(request: Request, person: Person, client_ref: str) -> dict[str, int]:
    """The client's ranking as it stands (the latest assessment: a re-ranking, else the first)."""
    with _db(request).session() as s:
        data = s.scalars(
            select(AssessmentRow.data)
            .where(AssessmentRow.organization_id == person.organization_id, AssessmentRow.client_ref == client_ref)
            .order_by(AssessmentRow.created_at.desc())
            .limit(1)
        ).first()
        if data is not None:
            audited_read(s, person.principal, "assessment", None, client_ref, needs=True)
    return dict((data or {}).get("needs") or {})


@router.get("/web/clients/{client_ref}/follow-up")
def follow_up_form(request: Request, client_ref: str, person: Caseworker, lang: str | None = None) -> Response:
    return _form_page(request, client_ref, person, lang)


@router.post("/web/clients/{client_ref}/follow-up")
async def follow_up_submit(request: Request, client_ref: str, person: Caseworker) -> Response:
    form = await request.form()

    def pick(prefix: str) -> dict[str, str]:
        return {
            k.removeprefix(prefix)[:64]: str(form.get(k) or "").strip()[:64]
            for k in form
            if k.startswith(prefix) and str(form.get(k) or "").strip()
        }

    fields: dict[str, Any] = {
        "on": str(form.get("on") or "").strip()[:32],
        "spent": pick("spent:"),
        "outcome": pick("outcome:"),
        "referral": pick("referral:"),
        "rank": pick("rank:"),
        "words": str(form.get("words") or "")[:4000],
        "note": str(form.get("note") or "")[:4000],
        "satisfaction": str(form.get("satisfaction") or ""),
        "would_recommend": str(form.get("would_recommend") or ""),
        "dropped_out": bool(form.get("dropped_out")),
        "lang": str(form.get("lang") or "") or None,
    }
    return await run_in_threadpool(_save, request, client_ref, person, fields)


def _save(request: Request, client_ref: str, person: Person, f: dict[str, Any]) -> Response:
    current = _current_ranking(request, person, client_ref)
    with _db(request).session() as s:
        providers = {r["id"]: r["provider_id"] for r in _referrals(request, s, person, client_ref)}
    rank = {n: int(p) if p.isdigit() else p for n, p in f["rank"].items()}
    body: dict[str, Any] = {
        "on": f["on"] or None,
        "spent": f["spent"],
        "outcomes": f["outcome"],
        "referral_outcomes": [
            {"referral_id": rid, "provider_id": providers.get(rid), "outcome": out}
            for rid, out in f["referral"].items()
        ],
        # the ranking is sent only when the client changed it (a re-ranking is a new assessment)
        "needs": rank if rank != current else None,
        "words": f["words"].strip() or None,
        "note": f["note"].strip() or None,
        "satisfaction": int(f["satisfaction"]) if f["satisfaction"].isdigit() else None,
        "would_recommend": {"yes": True, "no": False}.get(f["would_recommend"]),
        "dropped_out": f["dropped_out"],
    }
    try:
        follow_up = FollowUp.model_validate(body)
    except ValidationError as err:
        # a referral's problem is shown next to that referral
        ids = list(f["referral"])
        problems = [
            Problem(f"referral.{ids[int(p.field.split('.')[1])]}", p.message, p.allowed, p.value)
            if p.field.startswith("referral_outcomes.") and p.field.split(".")[1].isdigit()
            else p
            for p in problems_from_pydantic(err)
        ]
        return _form_page(request, client_ref, person, f["lang"], form=f, problems=problems, status=422)
    except ValidationFailed as err:
        return _form_page(request, client_ref, person, f["lang"], form=f, problems=err.problems, status=422)
    with _db(request).session() as s, write_transaction(s):
        library(lambda: add_follow_up(s, person.principal, client_ref, follow_up))
    suffix = f"?lang={f['lang']}" if f["lang"] else ""
    return RedirectResponse(f"/web/clients/{client_ref}/journey{suffix}", status_code=303)


# --- the journey ------------------------------------------------------------------


def journey_svg(steps: list[dict[str, Any]], t: Translator) -> Markup:
    """The journey as a grid: a row per need the client ranked at some point, a column
    per step; each cell holds the priority then (4 is the most important) coloured by
    the outcome the client reported. Words in ``t``'s language; the table beside it
    holds the same facts."""
    seen: dict[str, int] = {}
    for st in steps:
        for n, p in st["needs"].items():
            seen.setdefault(n, p)
    rows = sorted(seen, key=lambda n: (-seen[n], NEED_IDS.index(n) if n in NEED_IDS else 99))
    label_w, cell, head = 150, 44, 40
    width = label_w + cell * len(steps) + 4
    height = head + cell * len(rows) + 4
    title = t(N_("How the client's priorities and outcomes changed"))
    parts = [
        f'<svg class="journey" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="journey-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="journey-title">{escape(title)}</title>',
    ]
    for j, st in enumerate(steps):
        x = label_w + j * cell + cell / 2
        text = t(N_("Start")) if st["step"] == 0 else f"{st['step']}"
        parts.append(
            f'<text x="{x}" y="16" text-anchor="middle" font-size="13" font-weight="700">{escape(text)}</text>'
        )
        parts.append(f'<text x="{x}" y="32" text-anchor="middle" font-size="11">{escape(st["on"][5:])}</text>')
    for i, n in enumerate(rows):
        y = head + i * cell
        label = t(need_label(n))
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="4" y="{y + cell / 2 + 5}" font-size="13"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        for j, st in enumerate(steps):
            x = label_w + j * cell
            outcome = st["outcomes"].get(n, "")
            fill, ink = _FILLS.get(outcome, _FILLS[""])
            priority = st["needs"].get(n)
            parts.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" rx="4" '
                f'fill="{fill}" stroke="#8a8f98" stroke-width="1"/>'
            )
            if priority is not None:
                parts.append(
                    f'<text x="{x + cell / 2}" y="{y + cell / 2 + 6}" text-anchor="middle" font-size="16" '
                    f'font-weight="700" fill="{ink}">{priority}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/web/clients/{client_ref}/journey")
def journey_page(
    request: Request, client_ref: str, person: Caseworker, as_of: str | None = None, lang: str | None = None
) -> Response:
    programme = request.app.state.freechoice.programme
    with _db(request).session() as s:
        body = library(lambda: client_journey(s, person.principal, client_ref, programme, today=as_of_day(as_of)))
        items = library(lambda: client_follow_ups(s, person.principal, client_ref))["items"]
    t = translator(user_language(request, person))
    client_lang = client_language(request, person, client_ref, lang)
    words = {i + 1: f.get("words") for i, f in enumerate(sorted(items, key=lambda f: f["on"]))}
    return PAGES.render(
        request,
        "journey.html",
        {
            "ref": client_ref,
            "j": body,
            "svg": journey_svg(body["steps"], t),
            "words": words,
            "outcome_text": OUTCOME_TEXT,
            "due_text": DUE_TEXT,
            "need_label": need_label,
            "chosen_lang": client_lang,
        },
        client_lang=client_lang,
    )
