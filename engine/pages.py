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

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from freechoice.catalog import Catalog
from freechoice.catalog.errors import FreechoiceError

from .assessment import Assessment
from .children import DEFAULT_CHILD_POLICY, ChildPolicy
from .compile import CompiledRules
from .needorder import NeedOrder, Ranked
from .options import Exclusion, NeedOptions, Option, OptionList
from .paging import BadCursor, decode_cursor, encode_cursor
from .propose import _Request, named_exclusions

__all__ = ["BadCursor", "OptionsPage", "StaleOptionList", "options_page", "with_paged_options"]


class StaleOptionList(FreechoiceError):
    """The rules or the catalog in force are not the ones the list was made from, so its
    later pages cannot be rebuilt exactly (make a new list to see the options now)."""


@dataclass(frozen=True)
class OptionsPage:
    """One page of a need's options, in the list's order."""

    items: list[Option]
    start: int
    total: int  # options of the need in all (shown first and paged); at most this many unless total_exact
    next_cursor: str | None  # the following page; None on the last
    #: the need's exclusions found while this page was worked out (not named by the list or an earlier page)
    excluded: list[Exclusion] = field(default_factory=list)
    total_exact: bool = True
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
    req, ordered = _reorder(ol, assessment, catalog, rules, need, minimum_wages, children)
    try:
        _check(ol, listed.options, listed.more is not None, ordered, need)
    except StaleOptionList:
        if not allow_current:
            raise
        return _as_of_now(req, ordered, listed.options, start, count)
    if start > 0:
        ordered.fill(start + 1)
    if start > len(ordered.groups) or (start == len(ordered.groups) and start > 0):
        raise BadCursor(f"past the end: {need!r} has {len(ordered.groups)} option(s)")
    named = len(ordered.misses)  # what the list or the page before this one named
    ordered.fill(start + count + 1)
    page = ordered.groups[start : start + count]
    end = start + len(page)
    return OptionsPage(
        items=[req.build(ordered, g) for g in page],
        start=start,
        total=len(ordered.groups) if ordered.settled else end + ordered.at_most(end),
        total_exact=ordered.settled,
        next_cursor=encode_cursor(end) if end < len(ordered.groups) else None,
        excluded=named_exclusions(ordered, named),
        catalog_version=catalog.version,
        rules_version=rules.version,
    )


def _check(ol: OptionList, stored: Sequence[Option], more: bool, ordered: NeedOrder, need: str) -> None:
    """Raise :class:`StaleOptionList` unless the need's order worked out again is the one
    the list was made with (same rules and catalog, and the same first options)."""
    req = ordered.req
    if req.rules.version != ol.rules_version or req.catalog.version != ol.catalog_version:
        raise StaleOptionList(
            f"option list {ol.id} was made with {ol.rules_version} and {ol.catalog_version}; "
            f"in force now: {req.rules.version} and {req.catalog.version}"
        )
    shown = len(stored)
    ordered.fill_list(ol.limit)
    if [g[0].ev.service.id for g in ordered.groups[:shown]] != [o.service_id for o in stored] or (
        (len(ordered.groups) > shown) != more
    ):
        raise StaleOptionList(f"option list {ol.id}: the options of {need!r} are no longer the ones it stored")


def _reorder(
    ol: OptionList,
    assessment: Assessment,
    catalog: Catalog,
    rules: CompiledRules,
    need: str,
    minimum_wages: Mapping[str, Sequence[Any]] | None,
    children: ChildPolicy | None,
) -> tuple[_Request, NeedOrder]:
    """The request and the need's order (nothing placed yet), as the list made them. The
    other needs are not ordered again: what a walk decides does not depend on which walks
    came first (engine/propose.py, pathways), so the need's order is the list's."""
    policy = DEFAULT_CHILD_POLICY if children is None else children
    req = _Request(assessment, catalog, rules, ol.paging_quality, minimum_wages, policy)
    for n in ol.needs:
        if n.need == need:
            return req, NeedOrder(req, n.need, n.priority, n.listed_because, ol.show_all)
    raise LookupError(f"need {need!r} is not on option list {ol.id}")


def _as_of_now(req: _Request, ordered: NeedOrder, stored: Sequence[Option], start: int, count: int) -> OptionsPage:
    """The page from ``start`` when the list's order cannot be rebuilt: positions before
    ``len(stored)`` are the options the list holds (as it holds them), the ones after are
    the need's options as ordered now, less every group with a service already shown (the
    list's own ``more.cursor`` always reads, if only an empty last page)."""
    later = _later_now(ordered, stored)
    skip = max(0, start - len(stored))
    first = list(itertools.islice(later, skip))
    named = len(ordered.misses) if skip else 0  # found before this page (named by the one before)
    first += itertools.islice(later, start + count + 1 - len(stored) - skip)  # and one more: is there a next?
    exact = ordered.settled
    total = len(stored) + len(first)
    if start > total or (start == total and start > len(stored)):
        # a cursor of a page that was, before the catalog moved on again: start from the list's `more`
        raise BadCursor(f"past the end: the need has {total} option(s) now")
    end = min(start + count, total)
    items = [stored[i] if i < len(stored) else req.build(ordered, first[i - len(stored)]) for i in range(start, end)]
    return OptionsPage(
        items=items,
        start=start,
        total=total if exact else total + ordered.at_most(len(ordered.groups)),
        total_exact=exact,
        next_cursor=encode_cursor(end) if end < total else None,
        as_of_now=True,
        excluded=named_exclusions(ordered, named),
        catalog_version=req.catalog.version,
        rules_version=req.rules.version,
    )


def _later_now(ordered: NeedOrder, stored: Sequence[Option]) -> Iterator[list[Ranked]]:
    """The need's options as ordered now, less every one with a service the list shows."""
    shown_ids = {s for o in stored for s in (o.service_id, *(a.service_id for a in o.alternatives))}
    for group in ordered.iter_groups():
        if not any(r.ev.service.id in shown_ids for r in group):
            yield group


def _later_options(
    ol: OptionList,
    listed: NeedOptions,
    ids: set[str],
    assessment: Assessment,
    catalog: Catalog,
    rules: CompiledRules,
    minimum_wages: Mapping[str, Sequence[Any]] | None,
    children: ChildPolicy | None,
    allow_current: bool,
) -> list[Option]:
    """The options after the ones ``listed`` shows whose ids are in ``ids``, in order,
    worked out only as far as the last of them (every option, if one is not there)."""
    req, ordered = _reorder(ol, assessment, catalog, rules, listed.need, minimum_wages, children)
    groups: Iterable[list[Ranked]]
    try:
        _check(ol, listed.options, listed.more is not None, ordered, listed.need)
        groups = ordered.iter_groups(len(listed.options))
    except StaleOptionList:
        if not allow_current:
            raise
        groups = _later_now(ordered, listed.options)
    out: list[Option] = []
    left = set(ids)
    for group in groups:
        oid = f"{listed.need}/{group[0].ev.service.id}"
        if oid in left:
            out.append(req.build(ordered, group))
            left.discard(oid)
            if not left:
                break
    return out


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
        ids = {w for w in wanted if w.startswith(f"{n.need}/")} - {o.option_id for o in n.options}
        if not ids:
            needs.append(n)
            continue
        extra = _later_options(ol, n, ids, assessment, catalog, rules, minimum_wages, children, allow_current)
        needs.append(n.model_copy(update={"options": [*n.options, *extra]}))
        changed = True
    return ol.model_copy(update={"needs": needs}) if changed else ol
