"""The typed client reads a bounded list's counts as the service means them, over real
HTTP, on a generated catalog where best first stops early: `more.exact` false (the count
at most), and the need's pages whole, each naming the exclusions found for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from bounded_support import LIMIT, found, with_generated_catalog
from client_support import Live, serve

from freechoice.client import AsyncClient, NeedOptionsPage


@pytest.fixture(scope="module")
def live_generated(database_url: str) -> Iterator[Live]:
    with serve(with_generated_catalog(database_url)) as running:
        yield running


def test_the_client_reads_an_upper_bound_and_every_pages_exclusions(live_generated):
    f = found()
    with live_generated.client("cw_a") as cw:
        ol = cw.create_option_list(f.body)
        need = next(n for n in ol.needs if n.need == f.need)
        assert need.more is not None and need.more.exact is False and need.more.count == f.count
        assert need.more.rest == []
        pages = list(cw.iter_need_option_pages(ol.id, need.need, cursor=need.more.cursor, limit=1))
        assert all(isinstance(p, NeedOptionsPage) and len(p.items) == 1 and not p.as_of_now for p in pages)
        assert pages[-1].next is None and all(p.next for p in pages[:-1])
        later = [o.option_id for p in pages for o in p.items]
        # the same options as the item iterator gives, fewer than the count said at most
        assert later == [o.option_id for o in cw.iter_need_options(ol.id, need.need, cursor=need.more.cursor)]
        assert len(later) == f.later < need.more.count
        excluded = [(e.need, e.service_id, e.rule) for p in pages for e in p.excluded]
        assert len(excluded) == f.page_excluded and {n for n, _, _ in excluded} == {need.need}
        assert not set(excluded) & {(e.need, e.service_id, e.rule) for e in ol.excluded}
        # from the need's first option: the list's own options come first, pages as before
        whole = list(cw.iter_need_option_pages(ol.id, need.need, limit=100))
        assert [o.option_id for p in whole for o in p.items] == [o.option_id for o in need.options] + later
        assert len(need.options) == LIMIT


def test_the_async_client_reads_the_same_pages(live_generated):
    f = found()

    async def read() -> tuple[bool, list[NeedOptionsPage]]:
        async with AsyncClient(live_generated.url, live_generated.keys["cw_a"]) as cw:
            ol = await cw.create_option_list(f.body)
            need = next(n for n in ol.needs if n.need == f.need)
            assert need.more is not None
            cursor = need.more.cursor
            return need.more.exact, [p async for p in cw.iter_need_option_pages(ol.id, need.need, cursor=cursor)]

    exact, pages = asyncio.run(read())
    assert exact is False
    assert sum(len(p.items) for p in pages) == f.later
    assert sum(len(p.excluded) for p in pages) == f.page_excluded
