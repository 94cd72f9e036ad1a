"""An option list in words over HTTP (issue 10): ``GET /option-lists/{id}/text`` in the
language from ``?lang=`` or ``Accept-Language``, saying which language it is in and how
the translation was made; every read audited; an unknown language a clear 422."""

from __future__ import annotations

import pytest
from api_support import ASSESSMENT


@pytest.fixture(scope="module")
def list_id(world):
    r = world.client.post("/option-lists", json=ASSESSMENT | {"client_ref": "c-words"}, headers=world.as_("cw_a"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_accept_language_picks_burmese_and_the_response_says_how_it_was_translated(world, list_id):
    r = world.client.get(
        f"/option-lists/{list_id}/text", headers=world.as_("cw_a") | {"Accept-Language": "my-MM,my;q=0.9,en;q=0.5"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-language"] == "my" and "Accept-Language" in r.headers["vary"]
    assert "AI assistant" in r.headers["translation-made-by"]
    assert r.headers["translation-review"] == "awaiting review by a native speaker"
    assert "သင့်အတွက် ရွေးချယ်စရာများ" in r.text  # "Options for you"
    assert "c-words" not in r.text  # the client reference is not part of the client's view


def test_lang_overrides_the_header_and_the_caseworker_view_adds_ids(world, list_id):
    r = world.client.get(
        f"/option-lists/{list_id}/text?lang=th&view=caseworker", headers=world.as_("cw_a") | {"Accept-Language": "km"}
    )
    assert r.status_code == 200 and r.headers["content-language"] == "th"
    assert "ทางเลือกสำหรับคุณ" in r.text and list_id in r.text


def test_no_header_means_english_and_an_unknown_language_is_a_clear_422(world, list_id):
    r = world.client.get(f"/option-lists/{list_id}/text", headers=world.as_("cw_a"))
    assert r.status_code == 200 and r.headers["content-language"] == "en" and "Options for you" in r.text
    bad = world.client.get(f"/option-lists/{list_id}/text?lang=xx", headers=world.as_("cw_a"))
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    (err,) = bad.json()["errors"]
    assert err["field"] == "lang" and err["allowed"] == ["en", "my", "th", "km", "lo"]


def test_reading_the_words_is_audited_and_another_organisation_gets_404(world, list_id):
    world.client.get(f"/option-lists/{list_id}/text?lang=lo", headers=world.as_("cw_a"))
    assert world.client.get(f"/option-lists/{list_id}/text", headers=world.as_("cw_b")).status_code == 404
    assert world.client.get(f"/option-lists/{list_id}/text", headers=world.as_("partner_x")).status_code == 403
    audit = world.client.get("/audit", params={"client_ref": "c-words"}, headers=world.as_("admin")).json()["items"]
    reads = [e for e in audit if e["action"] == "read" and e["resource_id"] == list_id]
    assert any((e.get("detail") or {}).get("language") == "lo" for e in reads), reads
