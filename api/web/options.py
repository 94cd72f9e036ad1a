"""Page 2, the options: the stored option list as the client sees it. The cash option
first, then per need the top options as cards (contact card, why, watch out, steps),
"show more" for the rest of a need, "show everything" for every option and what was
left out and why; the client's language switch."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from freechoice.catalog import NEEDS
from freechoice.catalog.db.tables import OptionListRow
from freechoice.engine import OptionList
from freechoice.engine.contact import contact_card

from ..records import audited_read
from .accounts import Person
from .deps import PAGES, Caseworker
from .i18n import LANGUAGE_NAMES, N_
from .security import WebError
from .views import ClientWords

__all__ = ["TOP", "client_lang_of", "own_option_list", "router"]

router = APIRouter()
#: options shown per need before "show more"
TOP = 3


def own_option_list(request: Request, list_id: str, person: Person) -> OptionListRow:
    """The stored list, if it belongs to the person's organisation (else 404, as the
    API answers); the read is audited."""
    with request.app.state.freechoice.db.session() as s:
        row = s.get(OptionListRow, list_id)
        if row is None or row.organization_id != person.organization_id:
            raise WebError(404, N_("There is no such option list."))
        s.expunge(row)
        audited_read(s, person.principal, "option_list", row.id, row.client_ref)
    return row


def client_lang_of(request: Request, wanted: str | None) -> str | None:
    """The client's language for this page: ``?lang=`` when the pages offer it."""
    offered = request.app.state.freechoice.settings.web_languages
    return wanted if wanted in offered else None


@router.get("/web/options/{list_id}")
def show_options(
    request: Request, list_id: str, person: Caseworker, lang: str | None = None, show: str = "top"
) -> Response:
    row = own_option_list(request, list_id, person)
    ol = OptionList.model_validate(row.data)
    catalog = request.app.state.freechoice.current_catalog()
    everything = show == "all"
    client_lang = client_lang_of(request, lang)
    words = ClientWords(client_lang or "en")
    needs: list[dict[str, Any]] = []
    for n in ol.needs:
        options = [{"option": o, "card": contact_card(o, catalog, words.lang)} for o in n.options]
        needs.append(
            {
                "need": n,
                "label": NEEDS[n.need].label if n.need in NEEDS else n.label,
                "top": options if everything else options[:TOP],
                "more": [] if everything else options[TOP:],
            }
        )
    return PAGES.render(
        request,
        "options.html",
        {
            "ol": ol,
            "needs": needs,
            "cash": ol.cash,
            "cash_total": ol.cash.amount_per_transfer * ol.cash.transfers,
            "words": words,
            "everything": everything,
            "excluded": ol.excluded if everything else [],
            "need_labels": {nid: need.label for nid, need in NEEDS.items()},
            "client_languages": [
                (c, LANGUAGE_NAMES.get(c, c)) for c in request.app.state.freechoice.settings.web_languages
            ],
            "chosen_lang": client_lang,
        },
        client_lang=client_lang,
    )
