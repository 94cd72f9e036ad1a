"""Bounded option lists: the first N options per need, the rest paged, nothing hidden;
remote services of one provider and kind are one option."""

from __future__ import annotations

import pytest
from assessment_strategies import PLACES, assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import Catalog, Service, ServiceArea
from freechoice.catalog.generate import generate_services
from freechoice.catalog.models import Capacity
from freechoice.engine import BadCursor, StaleOptionList, load_rules, options_page, propose
from freechoice.engine.cohort import synthetic_cohort
from freechoice.engine.options import OptionList
from freechoice.engine.render import render_detail, render_option_list

RULES = load_rules()
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def remote_heavy_catalogs(draw: st.DrawFn) -> Catalog:
    """Generated catalogs plus one provider's many remote lines of one kind (fictional)."""
    cat = draw(catalogs(min_size=20, max_size=80))
    services = list(cat)
    org = sorted(cat.organizations)[0]
    kind = draw(st.sampled_from(sorted({k for s in services for k in s.kinds})))
    country = draw(st.sampled_from(sorted({c for c, _ in PLACES})))
    lines = draw(st.integers(2, 12))
    template = services[0]
    for i in range(lines):
        services.append(
            template.model_copy(
                update={
                    "id": f"gen-line-{i:03d}",
                    "name": f"Generated phone line {i} (fictional)",
                    "organization_id": org,
                    "kinds": [kind],
                    "location": None,
                    "remote": True,
                    "service_areas": [ServiceArea(country=country)],
                    "requires": [],
                }
            )
        )
    return Catalog(cat.organizations.values(), services, sample=True)


def _all_pages(ol: OptionList, a, cat, need: str, count: int) -> list[str]:
    n = next(x for x in ol.needs if x.need == need)
    ids = [o.option_id for o in n.options]
    cursor = n.more.cursor if n.more is not None else None
    while cursor is not None:
        page = options_page(ol, a, cat, RULES, need, cursor=cursor, count=count)
        assert 0 < len(page.items) <= count
        ids += [o.option_id for o in page.items]
        cursor = page.next_cursor
    return ids


def _same_as_unbounded(a, cat, limit: int, count: int) -> list[tuple[list, list, list, list]]:
    """Read a bounded list and every later page, checking each against the unbounded list
    as it goes (the same status, the count of what is left exact or an upper bound as
    ``more.exact`` says). Gives, per need, (the list's and its pages' options, the
    unbounded list's options, the exclusions the list and its pages name, the unbounded
    list's exclusions), for the test to compare."""
    full = propose(a, cat, RULES, all_needs=True)
    bounded = propose(a, cat, RULES, all_needs=True, limit=limit)
    assert [n.need for n in bounded.needs] == [n.need for n in full.needs]
    out = []
    for f, b in zip(full.needs, bounded.needs, strict=True):
        assert len(b.options) == min(limit, len(f.options))  # bounded count
        assert (b.more is None) == (len(f.options) <= limit)
        if b.more is not None:
            left = len(f.options) - limit
            assert b.more.count == left if b.more.exact else b.more.count >= left
            assert b.more.rest == []  # no longer filled: the order is worked out when a page is read
        # same status and unmet: the limit changes what is built, never what is decided
        assert (b.status, b.unmet) == (f.status, f.unmet)
        paged = []
        named = [e for e in bounded.excluded if e.need == b.need]
        cursor = b.more.cursor if b.more else None
        while cursor is not None:
            page = options_page(bounded, a, cat, RULES, b.need, cursor=cursor, count=count)
            assert 0 < len(page.items) <= count
            left = len(f.options) - page.start
            assert page.total - page.start == left if page.total_exact else page.total - page.start >= left
            paged += page.items
            named += page.excluded
            cursor = page.next_cursor
        out.append(
            (
                [o.model_dump() for o in [*b.options, *paged]],
                [o.model_dump() for o in f.options],
                sorted((e.model_dump() for e in named), key=str),
                sorted((e.model_dump() for e in full.excluded if e.need == f.need), key=str),
            )
        )
    # what the bounded list names is the unbounded list's exclusions found for its first options
    assert all(e in full.excluded for e in bounded.excluded)
    return out


@PROPS
@given(a=assessments(), cat=remote_heavy_catalogs(), limit=st.integers(1, 6), count=st.integers(1, 7))
def test_first_n_and_every_page_are_the_unbounded_list(a, cat, limit, count):
    for options, unbounded, named, excluded in _same_as_unbounded(a, cat, limit, count):
        # concatenating the first N and every page equals the unbounded list, content too
        assert options == unbounded
        # nothing hidden: every exclusion is named once, by the list or by one of its pages
        assert named == excluded


NATIONAL = generate_services(3000, seed=11)
NATIONAL_CATALOG = Catalog(*NATIONAL, sample=True)
COHORT = synthetic_cohort(60, 2016)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=st.sampled_from(COHORT), limit=st.integers(1, 4), count=st.integers(1, 9))
def test_on_a_large_catalog_best_first_gives_the_unbounded_list(a, limit, count):
    """On a generated catalog of 3,000 services (fictional), where the order is worked
    out only as far as it is read, the list and its pages are still the unbounded list."""
    for options, unbounded, named, excluded in _same_as_unbounded(a, NATIONAL_CATALOG, limit, count):
        assert options == unbounded
        assert named == excluded


def test_a_bounded_list_weighs_what_its_options_need_not_the_catalog():
    """The promise behind bounded lists: on a large catalog, a list of the first few
    options per need does not weigh every candidate. Seen by the caseworker as fewer
    exclusions named on the list (the rest come with the pages) and a count of further
    options that is an upper bound."""
    inexact = 0
    named_bounded = named_full = 0
    for a in COHORT[:30]:
        bounded = propose(a, NATIONAL_CATALOG, RULES, limit=2)
        full = propose(a, NATIONAL_CATALOG, RULES)
        inexact += sum(1 for n in bounded.needs if n.more is not None and not n.more.exact)
        named_bounded += len(bounded.excluded)
        named_full += len(full.excluded)
    assert inexact > 0
    assert named_bounded < 0.8 * named_full


@PROPS
@given(a=assessments(), cat=remote_heavy_catalogs())
def test_remote_services_of_one_provider_and_kind_are_one_option(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    for n in ol.needs:
        seen: set[tuple[str, str, bool]] = set()
        offered = set()
        for o in n.options:
            ids = [o.service_id, *(x.service_id for x in o.alternatives)]
            assert not offered & set(ids)  # every service once in a need
            offered |= set(ids)
            if o.alternatives:
                assert o.remote
                for alt in o.alternatives:
                    svc = cat.service(alt.service_id)
                    assert svc.remote and svc.organization_id == o.provider_id
            if o.remote:
                key = (o.provider_id, next(k for k in o.kinds), o.shown_on_request)
                assert key not in seen
                seen.add(key)


def test_a_national_provider_with_forty_lines_is_one_option():
    cat = remote_heavy_catalogs_fixed(40)
    a = _client({"psychosocial": 4})
    ol = propose(a, cat, RULES)
    lines = [o for n in ol.needs for o in n.options if o.service_id.startswith("line-")]
    assert len(lines) == 1
    assert len(lines[0].alternatives) == 39
    assert "also from this provider" in render_detail(ol)


def remote_heavy_catalogs_fixed(lines: int) -> Catalog:
    from freechoice.catalog import Organization
    from freechoice.catalog.generate import generate_services

    orgs, services = generate_services(60, seed=3, places=PLACES)
    nat = Organization(id="org-national", name="National Helpline (fictional)", sample=True)
    for i in range(lines):
        services.append(
            Service(
                id=f"line-{i:03d}",
                organization_id=nat.id,
                name=f"Helpline line {i} (fictional)",
                kinds=["health.psychosocial"],
                remote=True,
                service_areas=[ServiceArea(country="TH")],
                languages=["th", "my"],
            )
        )
    return Catalog([*orgs, nat], services, sample=True)


def _client(needs: dict[str, int]):
    from freechoice.engine import parse_assessment

    return parse_assessment(
        {
            "client_ref": "c-bounded",
            "needs": needs,
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
        }
    )


def test_a_bounded_list_is_deterministic_and_says_how_many_more():
    cat = remote_heavy_catalogs_fixed(5)
    a = _client({"psychosocial": 4, "housing": 4, "food": 3})
    one = propose(a, cat, RULES, limit=1)
    assert one.model_dump() == propose(a, cat, RULES, limit=1).model_dump()
    assert one.id != propose(a, cat, RULES, limit=2).id  # the limit is one of the list's inputs
    paged = [n for n in one.needs if n.more is not None]
    assert paged, "the generated catalog gives some need more than one option"
    text = render_option_list(one, RULES, per_need=1, catalog=cat)
    for n in paged:
        assert f"... and {n.more.count} more" in text
        assert f"/needs/{n.need}/options?cursor={n.more.cursor}" in render_detail(one)


def test_bad_cursors_unknown_needs_and_changed_catalogs_are_refused():
    cat = remote_heavy_catalogs_fixed(3)
    a = _client({"psychosocial": 4, "housing": 4})
    ol = propose(a, cat, RULES, limit=1)
    need = next(n for n in ol.needs if n.more is not None)
    with pytest.raises(BadCursor):
        options_page(ol, a, cat, RULES, need.need, cursor="not-a-cursor")
    with pytest.raises(BadCursor):  # past the end
        from freechoice.engine.paging import encode_cursor

        options_page(ol, a, cat, RULES, need.need, cursor=encode_cursor(1000))
    with pytest.raises(LookupError):
        options_page(ol, a, cat, RULES, "debt")
    changed = Catalog(cat.organizations.values(), list(cat)[1:], sample=True)
    with pytest.raises(StaleOptionList):  # unless the caller takes the page as the catalog is now
        options_page(ol, a, changed, RULES, need.need, cursor=need.more.cursor)
    for cursor in ["not-a-cursor", encode_cursor(1000)]:  # damaged or past the end: refused as of now too
        with pytest.raises(BadCursor):
            options_page(ol, a, changed, RULES, need.need, cursor=cursor, allow_current=True)


@PROPS
@given(a=assessments(), cat=catalogs(), limit=st.integers(1, 3))
def test_later_pages_keep_the_safety_promises(a, cat, limit):
    """An excluded service is on no page; a page's options carry the same cautions as
    the unbounded list's (children, no-contact, languages)."""
    ol = propose(a, cat, RULES, all_needs=True, limit=limit)
    excluded = {(e.need, e.service_id) for e in ol.excluded if not e.on_request}
    for n in ol.needs:
        ids = _all_pages(ol, a, cat, n.need, 5)
        assert len(ids) == len(set(ids))
        for oid in ids:
            assert (n.need, oid.split("/", 1)[1]) not in excluded


def _services(o) -> set[str]:
    return {o.service_id, *(x.service_id for x in o.alternatives)}


@PROPS
@given(
    a=assessments(),
    cat=remote_heavy_catalogs(),
    limit=st.integers(1, 4),
    count=st.integers(1, 7),
    changes=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["open", "waitlist", "full"])), min_size=1),
    removed=st.integers(0, 10**6),
)
def test_after_a_capacity_change_later_pages_are_served_as_of_now(a, cat, limit, count, changes, removed):
    """The catalog moves on after the list is made (capacity changes, a service gone):
    its later pages are still served, marked as of now, built from the catalog as it is
    now, with no option the list already shows, and every exclusion as it applies now."""
    ol = propose(a, cat, RULES, all_needs=True, limit=limit)
    services = list(cat)
    for i, status in changes:
        k = i % len(services)
        services[k] = services[k].model_copy(update={"capacity": Capacity(status=status)})
    del services[removed % len(services)]
    now = Catalog(cat.organizations.values(), services, sample=True)
    moved = now.version != cat.version
    unbounded_now = propose(a, now, RULES, all_needs=True)
    excluded_now = {(e.need, e.service_id) for e in unbounded_now.excluded if not e.on_request}
    for n in ol.needs:
        if n.more is None:
            continue
        shown = set().union(*(_services(o) for o in n.options))
        paged = []
        cursor: str | None = n.more.cursor
        while cursor is not None:
            page = options_page(ol, a, now, RULES, n.need, cursor=cursor, count=count, allow_current=True)
            assert len(page.items) <= count
            assert page.as_of_now == moved  # said plainly whenever the catalog moved on
            assert (page.catalog_version, page.rules_version) == (now.version, RULES.version)
            paged += page.items
            cursor = page.next_cursor
        ids = [o.option_id for o in paged]
        assert len(ids) == len(set(ids))
        for o in paged:
            assert not _services(o) & shown  # nothing the list already shows
            assert not {(n.need, s) for s in _services(o)} & excluded_now  # exclusions as they are now
        if moved:
            # exactly the need's options now, less the ones already shown: nothing hidden
            expected = [o for o in next(x for x in unbounded_now.needs if x.need == n.need).options]
            expected = [o for o in expected if not _services(o) & shown]
            assert [o.model_dump() for o in paged] == [o.model_dump() for o in expected]


def test_a_choice_can_take_an_option_from_a_page_served_as_of_now():
    from freechoice.engine.pages import with_paged_options

    cat = remote_heavy_catalogs_fixed(3)
    a = _client({"psychosocial": 4, "housing": 4})
    ol = propose(a, cat, RULES, limit=1)
    need = next(n for n in ol.needs if n.more is not None)
    first = next(iter(cat))
    now = Catalog(
        cat.organizations.values(),
        [first.model_copy(update={"capacity": Capacity(status="waitlist")}), *list(cat)[1:]],
        sample=True,
    )
    page = options_page(ol, a, now, RULES, need.need, cursor=need.more.cursor, allow_current=True)
    assert page.as_of_now and page.items
    wanted = page.items[-1].option_id
    with pytest.raises(StaleOptionList):
        with_paged_options(ol, [wanted], a, now, RULES)
    grown = with_paged_options(ol, [wanted], a, now, RULES, allow_current=True)
    assert wanted in grown.option_ids()
