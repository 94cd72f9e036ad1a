"""The printable handout of an option list (caseworkers): one self-contained HTML page
in the client's language, with the caseworker's beside it on request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from freechoice.catalog.db.tables import AssessmentRow, ChoiceRow
from freechoice.engine import Assessment, OptionList
from freechoice.engine.handout import handout, handout_html
from freechoice.engine.pages import with_paged_options
from freechoice.engine.text import LANGUAGES

from ..deps import DbSession, State
from ..language import ClientLanguage, language_headers
from ..params import PathId
from ..records import audited_read
from .option_lists import Caseworker, own_option_list

__all__ = ["CSP", "router"]

router = APIRouter(tags=["option-lists"])
Language = Literal["en", "my", "th", "km", "lo"]
assert set(Language.__args__) == set(LANGUAGES)  # type: ignore[attr-defined]

#: the page may load nothing at all: its styles are inline and it has no images or scripts
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def chosen_options(db: Session, list_id: str) -> list[str] | None:
    """The option ids of the newest choice recorded over a list (None: no choice yet, or
    the client chose none or will decide later: the whole list is handed out)."""
    row = db.scalars(
        select(ChoiceRow).where(ChoiceRow.option_list_id == list_id).order_by(ChoiceRow.created_at.desc()).limit(1)
    ).first()
    if row is None or row.decision != "chosen":
        return None
    ids = list(row.data.get("option_ids") or [])
    if row.data.get("cash_chosen") and "cash" not in ids:
        ids.append("cash")
    return ids


@router.get(
    "/option-lists/{list_id}/handout",
    response_class=HTMLResponse,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "A self-contained, printable HTML page (A4) in the client's language. Content-Language "
            "names the language; Translation-Made-By and Translation-Review say how the translation was made "
            "and reviewed.",
        }
    },
    summary="A printable handout of an option list, in the client's language (caseworker)",
)
def get_handout(
    list_id: PathId,
    who: Caseworker,
    db: DbSession,
    state: State,
    lang: ClientLanguage,
    caseworker_lang: Annotated[
        Language | None, Query(description="Also show the handout in this language, beside the client's.")
    ] = None,
) -> HTMLResponse:
    row = own_option_list(db, list_id, who)
    ol = OptionList.model_validate(row.data)
    chosen = chosen_options(db, list_id)
    if chosen and not set(chosen) <= set(ol.option_ids()):
        # the client chose from a later page of a bounded list: those options, built as the page shows them
        asm = db.get(AssessmentRow, row.assessment_id)
        if asm is not None:
            # built exactly as the page showed them, or as the catalog is now if it moved on since
            ol = with_paged_options(
                ol,
                chosen,
                Assessment.model_validate(asm.data),
                state.current_catalog(),
                state.rules,
                children=state.children,
                allow_current=True,
            )
    client_lang = lang
    audited_read(
        db, who, "option_list", list_id, row.client_ref, view="handout", lang=client_lang, chosen=chosen is not None
    )
    catalog = state.current_catalog()
    sheets = [handout(ol, lang=client_lang, catalog=catalog, chosen=chosen, rules=state.rules)]
    if caseworker_lang is not None and caseworker_lang != client_lang:
        sheets.append(handout(ol, lang=caseworker_lang, catalog=catalog, chosen=chosen, rules=state.rules))
    headers = {
        **language_headers(client_lang),
        "Content-Security-Policy": CSP,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(handout_html(sheets), headers=headers)
