"""The options page of a bounded list: "show more" reads a need's later options a page
at a time with the API's paging, and "show everything" shows every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_support import PARTNER_X
from fastapi.testclient import TestClient
from web_support import PASSWORD, csrf_of, seed_people, sign_in

from freechoice.api import Settings, create_app


class Site:
    def __init__(self, app) -> None:
        self.app = app

    def browser(self, username: str) -> TestClient:
        c = TestClient(self.app)
        sign_in(c, username, PASSWORD)
        return c


@pytest.fixture(scope="module")
def bounded_site(database_url: str) -> Iterator[Site]:
    app = create_app(
        Settings(database_url=database_url, load_sample=True, catalog_check_seconds=0, access_log=False, option_limit=1)
    )
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with TestClient(app):
        yield Site(app)
    app.state.freechoice.db.downgrade("base")


INTAKE = {
    "client_ref": "c-page-bounded",
    "language_1": "my",
    "need_housing": "4",
    "need_compensation": "4",
    "need_food": "3",
    "location_country": "TH",
    "location_area": "Songkhla",
    "plan": "stay",
    "documents": "confiscated",
    "legal_interest": ["wage_claim"],
}


def _intake(c: TestClient) -> str:
    page = c.get("/web/intake")
    r = c.post(
        "/web/intake", data={**INTAKE, "action": "propose", "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0].rsplit("/", 1)[1]


def _cards(html: str) -> list[str]:
    return re.findall(r'<h3 id="opt-[^"]+">([^<]+)</h3>', html)


def test_show_more_pages_through_a_need_and_everything_shows_every_page(bounded_site):
    c = bounded_site.browser("cw-a")
    list_id = _intake(c)
    served = c.get(f"/option-lists/{list_id}").json()
    need = next(n for n in served["needs"] if n["more"] is not None)
    first = c.get(f"/web/options/{list_id}")
    up_to = "" if need["more"]["exact"] else "up to "  # the count is at most that many when not exact
    assert f"Show {up_to}{need['more']['count']} more" in first.text
    seen = [need["options"][0]["service_name"]]
    url = f"/web/options/{list_id}?need={need['need']}&cursor={need['more']['cursor']}"
    for _ in range(need["more"]["count"]):
        page = c.get(url.replace("&amp;", "&"))
        assert page.status_code == 200
        names = _cards(page.text)
        seen.append(next(x for x in names if x not in seen))
        found = re.search(r'href="(\?need=' + need["need"] + r'&amp;cursor=[^"#]+)', page.text)
        if found is None:
            break
        url = f"/web/options/{list_id}{found.group(1)}"
    every = c.get(f"/option-lists/{list_id}/needs/{need['need']}/options").json()["items"]
    assert seen == [o["service_name"] for o in every]
    everything = c.get(f"/web/options/{list_id}?show=all").text
    total = sum(
        len(c.get(f"/option-lists/{list_id}/needs/{n['need']}/options?limit=100").json()["items"])
        for n in served["needs"]
    )
    assert len(re.findall(r'<article class="card"', everything)) == total


def test_a_bad_cursor_shows_a_plain_message_not_nothing(bounded_site):
    c = bounded_site.browser("cw-a")
    list_id = _intake(c)
    served = c.get(f"/option-lists/{list_id}").json()
    need = next(n for n in served["needs"] if n["more"] is not None)
    page = c.get(f"/web/options/{list_id}?need={need['need']}&cursor=damaged")
    assert page.status_code == 200
    assert "These further options cannot be shown from this link" in page.text


def test_after_a_capacity_change_show_more_shows_the_options_as_of_now_and_says_so(bounded_site):
    """Runs last: it moves the catalog on."""
    from freechoice.api.auth import create_key
    from freechoice.api.web.views import ClientWords

    c = bounded_site.browser("cw-a")
    list_id = _intake(c)
    served = c.get(f"/option-lists/{list_id}").json()
    need = next(n for n in served["needs"] if n["more"] is not None)
    url = f"/web/options/{list_id}?need={need['need']}&cursor={need['more']['cursor']}"
    note = "The catalog changed since this list was made: these further options are as the catalog is now."
    assert note not in c.get(url).text  # the catalog the list was made from: no note
    with bounded_site.app.state.freechoice.db.writing() as s:
        key = create_key(s, PARTNER_X, "partner", created_by="test")[1]
    partner = {"Authorization": f"Bearer {key}"}
    svc = c.get("/services/svc-songkhla-wage-claim", headers=partner)
    changed = c.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "waitlist"},
        headers={**partner, "If-Match": svc.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    later = c.get(f"/option-lists/{list_id}/needs/{need['need']}/options", params={"cursor": need["more"]["cursor"]})
    assert later.json()["as_of_now"] and later.json()["items"]
    page = c.get(url)
    assert page.status_code == 200 and note in page.text
    assert later.json()["items"][0]["service_name"] in _cards(page.text)  # shown, not hidden
    thai = c.get(url + "&lang=th")
    assert ClientWords("th").say("view-as-of-now") in thai.text and note not in thai.text
