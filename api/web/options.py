"""Page 2, the options: the stored option list as the client sees it. The cash option
first, then per need the top options as cards (contact card, why, watch out, steps),
"show more" for the rest of a need (a bounded list's later options a page at a time,
with the API's paging, and the need's exclusions found for that page), "show
everything" for every option and what was left out and why (the list's exclusions and
every page's); the client's language switch. A bounded list's count of further options
is an upper bound until every candidate is weighed: the page then says "up to N"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from freechoice.catalog import NEEDS
from freechoice.catalog.db.tables import AssessmentRow, OptionListRow
from freechoice.engine import Assessment, BadCursor, Exclusion, OptionList, OptionsPage, options_page
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


def _later_page(
    request: Request, row: OptionListRow, ol: OptionList, need: str, cursor: str, count: int
) -> OptionsPage | None:
    """A page of a need's options after the ones the list shows: the same paging as
    ``GET /option-lists/{id}/needs/{need}/options``, as of now when the catalog moved on
    since the list was made (None when the cursor names no page of the need)."""
    state = request.app.state.freechoice
    with state.db.session() as s:
        asm = s.get(AssessmentRow, row.assessment_id)
        if asm is None:
            return None
        assessment = Assessment.model_validate(asm.data)
    try:
        return options_page(
            ol,
            assessment,
            state.current_catalog(),
            state.rules,
            need,
            cursor=cursor,
            count=count,
            children=state.children,
            allow_current=True,
        )
    except (BadCursor, LookupError):
        return None


def _exclusion_key(x: Exclusion) -> tuple[str, str, str, bool]:
    return (x.need, x.service_id, x.rule, x.on_request)


@router.get("/web/options/{list_id}")
def show_options(
    request: Request,
    list_id: str,
    person: Caseworker,
    lang: str | None = None,
    show: str = "top",
    need: str | None = None,
    cursor: str | None = None,
) -> Response:
    row = own_option_list(request, list_id, person)
    ol = OptionList.model_validate(row.data)
    catalog = request.app.state.freechoice.current_catalog()
    everything = show == "all"
    client_lang = client_lang_of(request, lang)
    words = ClientWords(client_lang or "en")
    needs: list[dict[str, Any]] = []
    excluded = list(ol.excluded) if everything else []
    named = {_exclusion_key(x) for x in ol.excluded}  # each exclusion is shown once
    for n in ol.needs:
        shown = list(n.options)
        next_cursor = n.more.cursor if n.more is not None else None
        left = n.more.count if n.more is not None else 0
        left_exact = n.more.exact if n.more is not None else True
        found: list[Exclusion] = []  # the need's exclusions found for the options read here
        note: str | None = None  # said above the need's later options when they are not as the list made them
        if n.more is not None and (everything or (need == n.need and cursor)):
            # "show more" of a bounded list: the need's next page; "show everything": every page,
            # read until there is no next (the list's count may be an upper bound)
            page_cursor: str | None = n.more.cursor if everything else str(cursor)
            while page_cursor is not None:
                page = _later_page(
                    request, row, ol, n.need, page_cursor, n.more.count if everything else (ol.limit or TOP)
                )
                if page is None:
                    note = words.say("view-page-unreadable")
                    break
                shown += page.items
                found += [x for x in page.excluded if _exclusion_key(x) not in named]
                named |= {_exclusion_key(x) for x in page.excluded}
                next_cursor = page.next_cursor
                left = page.total - page.start - len(page.items)
                left_exact = page.total_exact
                if page.as_of_now:
                    note = words.say("view-as-of-now")
                page_cursor = page.next_cursor if everything else None
        if everything:
            excluded += found  # with the list's own, in the section of what was left out
            found = []
        options = [{"option": o, "card": contact_card(o, catalog, words.lang)} for o in shown]
        top = len(options) if need == n.need and cursor else TOP
        needs.append(
            {
                "need": n,
                "label": NEEDS[n.need].label if n.need in NEEDS else n.label,
                "top": options if everything else options[:top],
                "more": [] if everything else options[top:],
                "page_url": f"?need={n.need}&cursor={next_cursor}" + (f"&lang={client_lang}" if client_lang else "")
                if next_cursor and left and not everything
                else None,
                "left": left,
                "left_exact": left_exact,
                "excluded": found,
                "note": note,
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
            "excluded": excluded,
            "need_labels": {nid: need.label for nid, need in NEEDS.items()},
            "client_languages": [
                (c, LANGUAGE_NAMES.get(c, c)) for c in request.app.state.freechoice.settings.web_languages
            ],
            "chosen_lang": client_lang,
        },
        client_lang=client_lang,
    )
