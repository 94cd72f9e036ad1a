"""The options page of a bounded list whose counts are upper bounds (a generated catalog
of 1,000 fictional services where best first stops early, two options shown per need):
the caseworker sees "Show up to N more"; each "show more" page lists the need's
exclusions found for it as the list's are listed; "show everything" reads every page and
lists every exclusion, the list's and its pages'."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from api_support import PARTNER_X
from bounded_support import found, with_generated_catalog
from fastapi.testclient import TestClient
from web_support import PASSWORD, seed_people, sign_in

from freechoice.api import create_app
from freechoice.api.auth import create_key
from freechoice.api.web.views import ClientWords


@dataclass
class Site:
    app: Any
    key: str

    def browser(self) -> TestClient:
        c = TestClient(self.app)
        sign_in(c, "cw-a", PASSWORD)
        return c


@pytest.fixture(scope="module")
def site(database_url: str) -> Iterator[Site]:
    app = create_app(with_generated_catalog(database_url))
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with app.state.freechoice.db.writing() as s:
        key = create_key(s, "org-cw-a", "caseworker", created_by="test")[1]
    with TestClient(app):
        yield Site(app, key)
    app.state.freechoice.db.downgrade("base")


def _list(c: TestClient, site: Site) -> tuple[dict, dict, list[dict]]:
    """The list made for the found client, its need whose count is at most, and every page of it."""
    f = found()
    r = c.post("/option-lists", json=f.body, headers={"Authorization": f"Bearer {site.key}"})
    assert r.status_code == 201, r.text
    ol = r.json()
    need = next(n for n in ol["needs"] if n["need"] == f.need)
    assert need["more"]["exact"] is False  # the count is an upper bound here
    pages, url = [], f"/option-lists/{ol['id']}/needs/{f.need}/options?cursor={need['more']['cursor']}&limit=100"
    while url:
        pages.append(c.get(url).json())
        url = pages[-1]["next"]
    return ol, need, pages


def _show_more(text: str, need: str) -> tuple[str, str] | None:
    """The need's "show more" link on a page: (its address, its words)."""
    found_link = re.search(r'href="(\?need=' + need + r'&amp;cursor=[^"#]+)#need-\d+">([^<]+)</a>', text)
    return None if found_link is None else (html.unescape(found_link.group(1)), found_link.group(2))


def _left_out(text: str) -> list[str]:
    """The names of the services listed as left out on a page (both kinds of list)."""
    return [html.unescape(n) for n in re.findall(r"<li><strong>([^<]+)</strong> \(", text)]


def test_show_up_to_n_more_and_each_page_lists_what_it_ruled_out(site):
    c = site.browser()
    ol, need, pages = _list(c, site)
    first = c.get(f"/web/options/{ol['id']}")
    link = _show_more(first.text, need["need"])
    assert link is not None and link[1] == f"Show up to {need['more']['count']} more"
    assert "Also left out, and why" not in first.text
    seen: list[str] = []  # exclusions listed on the "show more" pages, in order
    cards: list[str] = []
    while link is not None:
        page = c.get(f"/web/options/{ol['id']}{link[0]}")
        assert page.status_code == 200
        cards += re.findall(r'<h3 id="opt-[^"]+">([^<]+)</h3>', page.text)
        if "Also left out, and why" in page.text:
            block = page.text.split("Also left out, and why", 1)[1].split("</ul>", 1)[0]
            seen += _left_out(block)
        link = _show_more(page.text, need["need"])
        if link is not None:  # "up to" again while the rest is not all weighed, plain once it is
            assert re.fullmatch(r"Show (up to )?\d+ more", link[1])
    on_pages = [e["service_name"] for p in pages for e in p["excluded"]]
    assert on_pages and sorted(seen) == sorted(on_pages)  # every one found, each shown once
    later = [html.unescape(o["service_name"]) for p in pages for o in p["items"]]
    assert set(later) <= {html.unescape(x) for x in cards}
    assert len(later) < need["more"]["count"]  # fewer than the count said at most, and nothing hidden


def test_show_everything_reads_every_page_and_lists_every_exclusion(site):
    c = site.browser()
    ol, need, pages = _list(c, site)
    everything = c.get(f"/web/options/{ol['id']}?show=all").text
    total = 0
    for n in ol["needs"]:
        items = c.get(f"/option-lists/{ol['id']}/needs/{n['need']}/options?limit=100").json()["items"]
        total += len(items)
    assert len(re.findall(r'<article class="card"', everything)) == total
    section = everything.split('id="left-out"', 1)[1]
    listed = _left_out(section)
    assert "Also left out, and why" not in everything  # with "show everything", in the one list
    on_pages = [e["service_name"] for p in pages for e in p["excluded"]]
    assert set(on_pages) <= set(listed)
    assert set(e["service_name"] for e in ol["excluded"]) <= set(listed)


def test_the_words_are_in_the_clients_language(site):
    c = site.browser()
    ol, need, _ = _list(c, site)
    burmese = c.get(f"/web/options/{ol['id']}?lang=my").text
    link = _show_more(burmese, need["need"])
    assert link is not None and "Show up to" not in burmese
    assert link[1] == f"နောက်ထပ် အများဆုံး {need['more']['count']} ခု ပြရန်"  # a machine draft, as the catalog says
    heading = ClientWords("my").t.gettext("Also left out, and why")
    headings = 0
    while link is not None:
        page = c.get(f"/web/options/{ol['id']}{link[0]}").text
        assert "Also left out" not in page and "Show up to" not in page
        headings += page.count(heading)
        link = _show_more(page, need["need"])
    assert headings  # the pages that ruled services out say so in Burmese
