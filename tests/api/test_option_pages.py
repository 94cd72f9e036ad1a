"""Bounded option lists over HTTP: the first option per need (option_limit=1 here), and
the rest read a page at a time from GET /option-lists/{id}/needs/{need}/options."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization

BODY = {**ASSESSMENT, "client_ref": "c-pages-1"}


@dataclass
class World:
    client: TestClient
    keys: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture(scope="module")
def paged(database_url: str) -> Iterator[World]:
    app = create_app(Settings(database_url=database_url, load_sample=True, catalog_check_seconds=0, option_limit=1))
    state = app.state.freechoice
    keys = {}
    with state.db.session() as s, s.begin():
        save_organization(s, Organization(id="org-admin", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-a", name="Caseworkers A (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-b", name="Caseworkers B (fictional)"), "test")
        for name, org, role in [
            ("admin", "org-admin", "admin"),
            ("cw_a", "org-cw-a", "caseworker"),
            ("cw_b", "org-cw-b", "caseworker"),
            ("partner_x", PARTNER_X, "partner"),
        ]:
            keys[name] = create_key(s, org, role, created_by="test")[1]
    with TestClient(app) as client:
        yield World(client, keys)
    state.db.downgrade("base")


def _paged_need(world: World) -> tuple[dict, dict]:
    r = world.client.post("/option-lists", json=BODY, headers=world.as_("cw_a"))
    assert r.status_code == 201, r.text
    ol = r.json()
    assert all(len(n["options"]) <= 1 for n in ol["needs"])  # the setting bounds every need
    need = next(n for n in ol["needs"] if n["more"] is not None)
    return ol, need


def test_the_rest_of_a_need_is_read_page_by_page_in_order(paged):
    ol, need = _paged_need(paged)
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    first = paged.client.get(url, params={"cursor": need["more"]["cursor"], "limit": 1}, headers=paged.as_("cw_a"))
    assert first.status_code == 200, first.text
    if need["more"]["count"] > 1:
        assert first.json()["next"] and first.headers["link"].endswith('rel="next"')
    rest = every_item(
        paged.client, url, params={"cursor": need["more"]["cursor"], "limit": 1}, headers=paged.as_("cw_a")
    )
    # `count` is exact when `exact` says so, otherwise at most: a page may rule out candidates
    assert len(rest) == need["more"]["count"] if need["more"]["exact"] else 1 <= len(rest) <= need["more"]["count"]
    assert need["more"]["rest"] == []  # no longer filled: the order is worked out as pages are read
    # without a cursor: the need from its first option, the one the list shows
    whole = every_item(paged.client, url, headers=paged.as_("cw_a"))
    assert whole[0] == need["options"][0] and whole[1:] == rest
    # the stored list itself is unchanged by reading pages
    assert paged.client.get(f"/option-lists/{ol['id']}", headers=paged.as_("cw_a")).json() == ol


def test_bad_cursor_unknown_need_and_other_organisations(paged):
    ol, need = _paged_need(paged)
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    for cursor in [
        "garbage",
        "WyJvcHRpb24tbGlzdHMiLDFd",
        "WyJvcHRpb25zIiw5OTk5XQ",
    ]:  # damaged, another list's, past the end
        r = paged.client.get(url, params={"cursor": cursor}, headers=paged.as_("cw_a"))
        assert r.status_code == 422, (cursor, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == ["query.cursor"]
    r = paged.client.get(f"/option-lists/{ol['id']}/needs/debt/options", headers=paged.as_("cw_a"))
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "path.need"
    assert need["need"] in r.json()["errors"][0]["message"]
    # access as for the option list: another organisation sees nothing, a partner is refused
    assert paged.client.get(url, headers=paged.as_("cw_b")).status_code == 404
    assert paged.client.get(url, headers=paged.as_("partner_x")).status_code == 403
    assert paged.client.get(url).status_code == 401


def test_reading_a_page_is_audited(paged):
    ol, need = _paged_need(paged)
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    assert (
        paged.client.get(url, params={"cursor": need["more"]["cursor"]}, headers=paged.as_("cw_a")).status_code == 200
    )
    log = every_item(
        paged.client,
        "/audit",
        params={"resource": "option_list", "client_ref": BODY["client_ref"]},
        headers=paged.as_("admin"),
    )
    assert any(e["action"] == "read" and e["resource_id"] == ol["id"] for e in log)


def test_an_option_from_a_later_page_can_be_chosen(paged):
    ol, need = _paged_need(paged)
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    later = paged.client.get(url, params={"cursor": need["more"]["cursor"]}, headers=paged.as_("cw_a")).json()
    option = later["items"][0]
    r = paged.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=paged.as_("cw_a")
    )
    assert r.status_code == 201, r.text
    assert [d["service_id"] for d in r.json()["referrals"]] == [option["service_id"]]
    # the handout of the chosen options shows the one chosen from the later page
    sheet = paged.client.get(f"/option-lists/{ol['id']}/handout?lang=en", headers=paged.as_("cw_a"))
    assert sheet.status_code == 200 and option["service_name"] in sheet.text


def test_the_handout_says_how_many_more_options_there_are(paged):
    ol, need = _paged_need(paged)
    sheet = paged.client.get(f"/option-lists/{ol['id']}/handout?lang=en", headers=paged.as_("cw_a"))
    assert sheet.status_code == 200
    # "up to" when the count is an upper bound (later candidates not all weighed yet)
    up_to = "" if need["more"]["exact"] else "up to "
    assert f"and {up_to}{need['more']['count']} more" in sheet.text


def test_after_a_capacity_change_later_pages_are_served_as_the_catalog_is_now(paged):
    """Runs last: it moves the catalog on. The stored list never changes; its later pages
    cannot be rebuilt exactly any more, so they are served as the catalog is now, say so,
    and hold none of the options the list already shows."""
    ol, need = _paged_need(paged)
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    before = paged.client.get(url, params={"cursor": need["more"]["cursor"]}, headers=paged.as_("cw_a")).json()
    assert before["as_of_now"] is False and before["catalog_version"] == ol["catalog_version"]
    svc = paged.client.get("/services/svc-songkhla-wage-claim", headers=paged.as_("partner_x"))
    changed = paged.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "waitlist"},
        headers={**paged.as_("partner_x"), "If-Match": svc.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    r = paged.client.get(url, params={"cursor": need["more"]["cursor"], "limit": 1}, headers=paged.as_("cw_a"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of_now"] is True
    assert body["catalog_version"] != ol["catalog_version"] and body["rules_version"] == ol["rules_version"]
    later = every_item(paged.client, url, params={"cursor": need["more"]["cursor"]}, headers=paged.as_("cw_a"))
    shown = {s for o in need["options"] for s in [o["service_id"], *(a["service_id"] for a in o["alternatives"])]}
    assert later, "the need still has further options now"
    assert not shown & {o["service_id"] for o in later}  # nothing the list already shows
    # the same options a new list made now offers for the need, less the ones already shown
    fresh = paged.client.post("/option-lists", json=BODY, headers=paged.as_("cw_a")).json()
    now = next(n for n in fresh["needs"] if n["need"] == need["need"])
    fresh_url = f"/option-lists/{fresh['id']}/needs/{need['need']}/options"
    expected = [o["service_id"] for o in every_item(paged.client, fresh_url, headers=paged.as_("cw_a"))]
    assert expected[: len(now["options"])] == [o["service_id"] for o in now["options"]]
    assert [o["service_id"] for o in later] == [s for s in expected if s not in shown]
    # an option of such a page can be chosen
    made = paged.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [later[-1]["option_id"]]}, headers=paged.as_("cw_a")
    )
    assert made.status_code == 201, made.text
    assert [d["service_id"] for d in made.json()["referrals"]] == [later[-1]["service_id"]]
    assert paged.client.get(f"/option-lists/{ol['id']}", headers=paged.as_("cw_a")).json() == ol
