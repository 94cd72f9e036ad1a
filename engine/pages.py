"""Later pages of an option list: one need's options after the first ones.

:func:`~freechoice.engine.propose` builds the first ``limit`` options of each need and
orders the rest without building them. A page is built here, when it is read, from the
same inputs the list was made from (the client, the catalog and rule versions the list
names, the client ratings it was ordered with): the need's order is decided again the
same cheap way and checked against the order the list stored, so a page holds exactly
what the list would have shown with no limit.

When the catalog or rules have moved on since (every capacity change does), the page
cannot be rebuilt exactly. With ``allow_current=True`` it is served anyway, built from the
catalog and rules in force now and marked so (:attr:`OptionsPage.as_of_now`, with the
versions it was built from): the need's options as they are now, minus every option the
stored list already shows (by service), with every exclusion, caution and child and
no-contact rule as it applies now. Nothing is hidden, only paged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from freechoice.catalog import Catalog
from freechoice.catalog.errors import FreechoiceError

from .assessment import Assessment
from .children import DEFAULT_CHILD_POLICY, ChildPolicy
from .compile import CompiledRules
from .options import Exclusion, Option, OptionList
from .paging import BadCursor, decode_cursor, encode_cursor
from .propose import _order_needs, _Ordered, _Request

__all__ = ["BadCursor", "OptionsPage", "StaleOptionList", "options_page", "with_paged_options"]


class StaleOptionList(FreechoiceError):
    """The rules or the catalog in force are not the ones the list was made from, so its
    later pages cannot be rebuilt exactly (make a new list to see the options now)."""


@dataclass(frozen=True)
class OptionsPage:
    """One page of a need's options, in the list's order."""

    items: list[Option]
    start: int
    total: int  # options of the need in all (shown first and paged)
    next_cursor: str | None  # the following page; None on the last
    #: built from the catalog and rules in force now, not the ones the list was made from
    as_of_now: bool = False
    catalog_version: str = ""  # the versions the page was built from
    rules_version: str = ""


def options_page(
    ol: OptionList,
    assessment: Assessment,
    catalog: Catalog,
    rules: CompiledRules,
    need: str,
    *,
    cursor: str | None = None,
    count: int = 10,
    minimum_wages: Mapping[str, Sequence[Any]] | None = None,
    children: ChildPolicy | None = None,
    allow_current: bool = False,
) -> OptionsPage:
    """The page of ``need``'s options starting at ``cursor`` (None: the first option).

    Raises :class:`LookupError` if ``need`` is not on the list, :class:`BadCursor` for a
    cursor that names no page of it, :class:`StaleOptionList` when ``catalog`` or
    ``rules`` are not the versions the list was made from, unless ``allow_current``: then
    the page is built as the catalog and rules are now (:attr:`OptionsPage.as_of_now`).

    Examples
    --------
    >>> from freechoice.catalog import load_sample_catalog
    >>> from freechoice.engine import load_rules, parse_assessment, propose
    >>> a = parse_assessment({"client_ref": "c-1", "needs": {"compensation": 4},
    ...     "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]}})
    >>> cat, rules = load_sample_catalog(), load_rules()
    >>> ol = propose(a, cat, rules, limit=1)
    >>> more = ol.needs[0].more
    >>> page = options_page(ol, a, cat, rules, "compensation", cursor=more.cursor, count=50)
    >>> len(page.items) == more.count, page.next_cursor
    (True, None)
    """
    if count < 1:
        raise ValueError("count: at least 1 option per page")
    listed = next((n for n in ol.needs if n.need == need), None)
    if listed is None:
        raise LookupError(f"need {need!r} is not on option list {ol.id}")
    start = 0 if cursor is None else decode_cursor(cursor)
    policy = DEFAULT_CHILD_POLICY if children is None else children
    req = _Request(assessment, catalog, rules, ol.paging_quality, minimum_wages, policy)
    upto = [(n.need, n.priority, n.listed_because) for n in ol.needs]
    upto = upto[: [n for n, _, _ in upto].index(need) + 1]
    ignored: list[Exclusion] = []
    orderings = list(_order_needs(req, upto, ol.show_all, ignored))
    ordered = orderings[-1]
    groups = ordered.groups
    shown = len(listed.options)
    rest = listed.more.rest if listed.more is not None else []
    try:
        if rules.version != ol.rules_version or catalog.version != ol.catalog_version:
            raise StaleOptionList(
                f"option list {ol.id} was made with {ol.rules_version} and {ol.catalog_version}; "
                f"in force now: {rules.version} and {catalog.version}"
            )
        if shown + len(rest) != len(groups):
            raise StaleOptionList(f"option list {ol.id}: the options of {need!r} are no longer the ones it stored")
        if start > len(groups) or (start == len(groups) and start > 0):
            raise BadCursor(f"past the end: {need!r} has {len(groups)} option(s)")
        page = groups[start : start + count]
        for i, group in enumerate(page, start):
            if i >= shown and [r.ev.service.id for r in group] != rest[i - shown]:
                raise StaleOptionList(f"option list {ol.id}: the order of {need!r} is no longer the one it stored")
    except StaleOptionList:
        if not allow_current:
            raise
        return _as_of_now(req, ordered, listed.options, start, count)
    end = start + len(page)
    return OptionsPage(
        items=[req.build(ordered, g) for g in page],
        start=start,
        total=len(groups),
        next_cursor=encode_cursor(end) if end < len(groups) else None,
        catalog_version=catalog.version,
        rules_version=rules.version,
    )


def _as_of_now(req: _Request, ordered: _Ordered, stored: Sequence[Option], start: int, count: int) -> OptionsPage:
    """The page from ``start`` when the list's order cannot be rebuilt: positions before
    ``len(stored)`` are the options the list holds (as it holds them), the ones after are
    the need's options as ordered now, less every group with a service already shown (the
    list's own ``more.cursor`` always reads, if only an empty last page)."""
    shown_ids = {s for o in stored for s in (o.service_id, *(a.service_id for a in o.alternatives))}
    later = [g for g in ordered.groups if not any(r.ev.service.id in shown_ids for r in g)]
    total = len(stored) + len(later)
    if start > total or (start == total and start > len(stored)):
        # a cursor of a page that was, before the catalog moved on again: start from the list's `more`
        raise BadCursor(f"past the end: the need has {total} option(s) now")
    end = min(start + count, total)
    items = [stored[i] if i < len(stored) else req.build(ordered, later[i - len(stored)]) for i in range(start, end)]
    return OptionsPage(
        items=items,
        start=start,
        total=total,
        next_cursor=encode_cursor(end) if end < total else None,
        as_of_now=True,
        catalog_version=req.catalog.version,
        rules_version=req.rules.version,
    )


def with_paged_options(
    ol: OptionList,
    option_ids: Sequence[str],
    assessment: Assessment,
    catalog: Catalog,
    rules: CompiledRules,
    *,
    minimum_wages: Mapping[str, Sequence[Any]] | None = None,
    children: ChildPolicy | None = None,
    allow_current: bool = False,
) -> OptionList:
    """``ol`` with the options of later pages that ``option_ids`` name built and added
    after each need's first ones, so a choice can take an option from any page. With
    ``allow_current``, pages the catalog has moved on from are read as they are now (the
    options an as-of-now page showed can be chosen); else :class:`StaleOptionList`."""
    wanted = set(option_ids)
    needs = []
    changed = False
    for n in ol.needs:
        more = n.more
        if more is None:
            needs.append(n)
            continue
        if allow_current:
            ids = {w for w in wanted if w.startswith(f"{n.need}/")} - {o.option_id for o in n.options}
        else:
            ids = {f"{n.need}/{group[0]}" for group in more.rest} & wanted
        if not ids:
            needs.append(n)
            continue
        page = options_page(
            ol,
            assessment,
            catalog,
            rules,
            n.need,
            cursor=more.cursor,
            count=max(more.count, len(catalog)) if allow_current else more.count,
            minimum_wages=minimum_wages,
            children=children,
            allow_current=allow_current,
        )
        extra = [o for o in page.items if o.option_id in ids]
        needs.append(n.model_copy(update={"options": [*n.options, *extra]}))
        changed = True
    return ol.model_copy(update={"needs": needs}) if changed else ol
