"""A bounded list's count of further options over HTTP, when best first stops before
weighing every candidate (a generated catalog of 1,000 fictional services, two options
shown per need): `more.exact` is false and `more.count` is at most that many; the need's
pages, read to the end, hold no more than that, and each names the need's exclusions
found while it was worked out, so the list's and its pages' exclusions together are the
ones a list with every option names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from bounded_support import LIMIT, found, generated_catalog, with_generated_catalog
from fastapi.testclient import TestClient

from freechoice.api import create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.engine import load_rules, parse_assessment, propose


@dataclass
class Served:
    client: TestClient
    headers: dict[str, str]


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[Served]:
    app = create_app(with_generated_catalog(database_url))
    state = app.state.freechoice
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-cw-a", name="Caseworkers A (fictional)"), "test")
        key = create_key(s, "org-cw-a", "caseworker", created_by="test")[1]
    with TestClient(app) as client:
        yield Served(client, {"Authorization": f"Bearer {key}"})
    state.db.downgrade("base")


def _list(served: Served) -> tuple[dict, dict]:
    f = found()
    r = served.client.post("/option-lists", json=f.body, headers=served.headers)
    assert r.status_code == 201, r.text
    ol = r.json()
    need = next(n for n in ol["needs"] if n["need"] == f.need)
    assert len(need["options"]) == LIMIT
    assert need["more"]["exact"] is False  # best first stopped early: the count is an upper bound
    assert need["more"]["count"] == f.count and need["more"]["rest"] == []
    return ol, need


def _pages(served: Served, ol: dict, need: dict, limit: int) -> list[dict]:
    url = f"/option-lists/{ol['id']}/needs/{need['need']}/options"
    pages = []
    params: dict | None = {"cursor": need["more"]["cursor"], "limit": limit}
    while url:
        r = served.client.get(url, params=params, headers=served.headers)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        url, params = r.json()["next"], None
    return pages


@pytest.mark.parametrize("limit", [1, LIMIT, 100])
def test_the_count_is_at_most_and_the_pages_name_what_they_rule_out(served, limit):
    ol, need = _list(served)
    pages = _pages(served, ol, need, limit)
    later = [o for p in pages for o in p["items"]]
    assert 0 < len(later) <= need["more"]["count"]
    assert len(later) == found().later < need["more"]["count"]  # some candidates were ruled out on reading
    assert all(not p["as_of_now"] for p in pages)
    named = [(e["need"], e["service_id"], e["rule"]) for e in ol["excluded"]]
    on_pages = [(e["need"], e["service_id"], e["rule"]) for p in pages for e in p["excluded"]]
    assert on_pages, "reading the pages found exclusions the list did not name"
    assert len(on_pages) == len(set(on_pages)) and not set(on_pages) & set(named)  # each named once
    assert {n for n, _, _ in on_pages} == {need["need"]}
    offered = {o["service_id"] for o in [*need["options"], *later]}
    assert not offered & {s for _, s, _ in on_pages}
    for p in pages:  # each as the list's own: service, its name, the rule and why
        for e in p["excluded"]:
            assert set(e) == set(ol["excluded"][0]) and e["service_name"] and e["text"]
    # the list's and the pages' exclusions of the need are the ones a list with every option names
    a = parse_assessment(found().body)
    whole = propose(a, generated_catalog(), load_rules())
    expected = {(e.need, e.service_id, e.rule) for e in whole.excluded if e.need == need["need"]}
    assert {x for x in named if x[0] == need["need"]} | set(on_pages) == expected
    assert [o["service_id"] for o in later] == [
        o.service_id for o in next(n for n in whole.needs if n.need == need["need"]).options[LIMIT:]
    ]


def test_the_handout_and_the_text_say_up_to(served):
    ol, need = _list(served)
    sheet = served.client.get(f"/option-lists/{ol['id']}/handout?lang=en", headers=served.headers)
    assert sheet.status_code == 200
    assert f"and up to {need['more']['count']} more" in sheet.text
    text = served.client.get(f"/option-lists/{ol['id']}/text?lang=en", headers=served.headers)
    assert text.status_code == 200 and f"... and up to {need['more']['count']} more" in text.text


def test_the_document_describes_the_count_and_the_pages_exclusions(served):
    schemas = served.client.get("/openapi.json").json()["components"]["schemas"]
    more = schemas["More"]["properties"]
    assert more["exact"]["type"] == "boolean" and "upper bound" in more["exact"]["description"]
    assert "at most" in more["count"]["description"]
    assert more["rest"]["deprecated"] is True and "No longer filled" in more["rest"]["description"]
    page = schemas["NeedOptionsPage"]
    excluded = page["properties"]["excluded"]
    assert excluded["items"] == {"$ref": "#/components/schemas/Exclusion"}
    assert "every page names every one" in excluded["description"]
    assert "a need's later pages name the rest" in schemas["OptionList"]["properties"]["excluded"]["description"]
