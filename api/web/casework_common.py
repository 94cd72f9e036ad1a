"""What the cash-plus pages share: the library's refusals as page answers, the
client's language, need labels and amounts for people to read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import select

from freechoice.catalog import NEEDS, ConflictError, Problem, ValidationFailed
from freechoice.catalog.db.tables import AssessmentRow
from freechoice.engine.text import format_money

from ..problems import ProblemError
from ..records import audited_read
from .accounts import Person
from .i18n import N_
from .options import client_lang_of
from .security import WebError

__all__ = [
    "as_of_day",
    "client_language",
    "currency_word",
    "errors_by_field",
    "library",
    "money",
    "need_label",
    "problems_of",
]

T = TypeVar("T")


def library(call: Callable[[], T]) -> T:
    """Run a library call; an answer the API gives as 404 is the page's 404 (another
    organisation's client or transfer looks like no such thing)."""
    try:
        return call()
    except ProblemError as err:
        if err.status == 404:
            raise WebError(404, N_("There is no such record for this client.")) from err
        raise WebError(err.status, err.detail) from err


def problems_of(err: Exception) -> list[Problem]:
    """The problems of a refusal, each naming its field."""
    if isinstance(err, ValidationFailed):
        return err.problems
    if isinstance(err, ConflictError):
        return [Problem(err.field or "form", str(err))]
    raise err


def errors_by_field(problems: list[Problem]) -> dict[str, list[Problem]]:
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p)
    return out


def as_of_day(value: str | None) -> dt.date:
    """The day statuses are computed for (``?as_of=`` as the API takes it; today, UTC)."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise WebError(422, N_("A date must look like 2026-12-31.")) from None
    return dt.datetime.now(dt.UTC).date()


def client_language(request: Request, person: Person, client_ref: str, wanted: str | None) -> str | None:
    """The client's language for a page: ``?lang=`` when offered, else the first of the
    languages their assessment lists that the pages offer (an audited read)."""
    chosen = client_lang_of(request, wanted)
    if chosen:
        return chosen
    with request.app.state.freechoice.db.session() as s:
        data = s.scalars(
            select(AssessmentRow.data)
            .where(AssessmentRow.organization_id == person.organization_id, AssessmentRow.client_ref == client_ref)
            .order_by(AssessmentRow.created_at)
            .limit(1)
        ).first()
        if data is not None:
            audited_read(s, person.principal, "assessment", None, client_ref, languages=True)
    for lang in ((data or {}).get("situation") or {}).get("languages") or []:
        found = client_lang_of(request, str(lang))
        if found:
            return found
    return None


def need_label(need: str) -> str:
    """The English label of a need (translated where it is shown)."""
    return NEEDS[need].label if need in NEEDS else need


def currency_word(currency: str, lang: str) -> str:
    """The currency named in words in ``lang`` (``"Thai baht"``): a code never shows."""
    from babel import UnknownLocaleError
    from babel.numbers import get_currency_name

    try:
        return str(get_currency_name(currency, count=2, locale=lang))
    except (ValueError, UnknownLocaleError):
        return str(get_currency_name(currency, count=2, locale="en"))


def money(amount: Any, currency: str, lang: str) -> str:
    """An exact amount with its currency in words (``"9,000 Thai baht"``)."""
    return format_money(Decimal(str(amount)), currency, lang)
