"""An option list as words for a person (issue 10): the client's view (or the
caseworker's) as plain text, in the language negotiated from ``?lang=`` or
``Accept-Language``, with a contact card per option from the current catalog."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import PlainTextResponse, Response

from freechoice.engine import OptionList
from freechoice.engine.render import render_option_list

from ..deps import DbSession, State
from ..language import ClientLanguage, language_headers
from ..params import PathId
from ..records import audited_read
from .option_lists import Caseworker, own_option_list

__all__ = ["router"]

router = APIRouter(tags=["option-lists"])

View = Annotated[
    Literal["client", "caseworker"],
    Query(description="client: what the client reads; caseworker: adds ids, fit scores, rules and what was left out."),
]


@router.get(
    "/option-lists/{list_id}/text",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "The list in the client's language. Content-Language names the language; "
            "Translation-Made-By and Translation-Review say how the translation was made and reviewed.",
        }
    },
    summary="An option list in words, in the client's language",
)
def option_list_text(
    list_id: PathId, who: Caseworker, db: DbSession, state: State, lang: ClientLanguage, view: View = "client"
) -> Response:
    row = own_option_list(db, list_id, who)
    audited_read(db, who, "option_list", list_id, row.client_ref, rendered=view, language=lang)
    ol = OptionList.model_validate(row.data)
    text = render_option_list(ol, state.rules, lang=lang, view=view, catalog=state.current_catalog())
    return PlainTextResponse(text, headers=language_headers(lang))
