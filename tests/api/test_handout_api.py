"""The printable handout over HTTP: the client's language (asked for or negotiated), the
caseworker's beside it, only the chosen options after a choice, nothing fetched from
outside, and the same access rules and audit as reading the option list."""

from __future__ import annotations

import re

from api_support import every_item

HANDOUT_CLIENT = {
    "client_ref": "c-handout-1",
    "needs": {"housing": 4, "food": 3, "compensation": 3},
    "situation": {
        "location": {"country": "TH", "area": "Samut Sakhon"},
        "plan": "stay",
        "languages": ["my"],
        "age": 31,
        "documents": "valid",
    },
}
SHELTER_MY = "တံခါးဖွင့် အိမ် (စမွတ်ဆာခွန်)"  # the sample catalog's (AI-drafted) Burmese name
SHELTER_KM = "ផ្ទះទ្វារបើកចំហ (សាមុតសាខន)"


def _list(world) -> dict:
    r = world.client.post("/option-lists", json=HANDOUT_CLIENT, headers=world.as_("cw_a"))
    assert r.status_code == 201, r.text
    return r.json()


def _get(world, list_id: str, who: str = "cw_a", **kw):
    return world.client.get(
        f"/option-lists/{list_id}/handout", headers={**world.as_(who), **kw.pop("headers", {})}, **kw
    )


def test_the_handout_is_a_self_contained_print_page_in_the_clients_language(world):
    ol = _list(world)
    r = _get(world, ol["id"], params={"lang": "my"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-language"] == "my"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["translation-review"] == "awaiting review by a native speaker"
    page = r.text
    assert '<html lang="my">' in page
    assert SHELTER_MY in page
    assert "size: A4" in page
    for font in ("Noto Sans Myanmar", "Noto Sans Thai", "Noto Sans Khmer", "Noto Sans Lao"):
        assert font in page
    # nothing is loaded from anywhere: no scripts, stylesheets, images, fonts or frames
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page, re.I)
    assert "url(" not in page and "@import" not in page and "@font-face" not in page


def test_without_lang_the_language_is_negotiated_and_an_unknown_one_is_refused_naming_the_allowed(world):
    ol = _list(world)
    r = _get(world, ol["id"], headers={"Accept-Language": "km-KH,km;q=0.9,en;q=0.5"})
    assert r.status_code == 200 and r.headers["content-language"] == "km"
    assert SHELTER_KM in r.text
    bad = _get(world, ol["id"], params={"lang": "fr"})
    assert bad.status_code == 422
    (err,) = bad.json()["errors"]
    assert err["field"].endswith("lang") and set(err["allowed"]) == {"en", "my", "th", "km", "lo"}


def test_the_caseworkers_language_is_shown_beside_the_clients(world):
    ol = _list(world)
    page = _get(world, ol["id"], params={"lang": "my", "caseworker_lang": "en"}).text
    assert '<div lang="my">' in page and '<div lang="en" class="cw">' in page
    assert SHELTER_MY in page and "Open Door house (Samut Sakhon)" in page
    alone = _get(world, ol["id"], params={"lang": "my"}).text
    assert "Open Door house (Samut Sakhon)" not in alone


def test_after_a_choice_only_the_chosen_options_are_handed_out(world):
    ol = _list(world)
    options = {o["service_id"]: o["option_id"] for n in ol["needs"] for o in n["options"]}
    shelter = options["svc-samut-sakhon-open-door-shelter"]
    before = _get(world, ol["id"], params={"lang": "en"}).text
    assert "Community kitchen (Samut Sakhon)" in before and "Cash:" in before
    r = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [shelter]}, headers=world.as_("cw_a")
    )
    assert r.status_code == 201, r.text
    after = _get(world, ol["id"], params={"lang": "en"}).text
    assert "What you chose" in after and "Open Door house (Samut Sakhon)" in after
    assert "Community kitchen (Samut Sakhon)" not in after and "Cash:" not in after
    assert after.count('<article class="card">') == 1


def test_only_the_caseworkers_of_the_organisation_that_made_the_list_get_it_and_every_read_is_audited(world):
    ol = _list(world)
    assert _get(world, ol["id"], who="cw_b").status_code == 404
    assert _get(world, ol["id"], who="partner_x").status_code == 403
    assert world.client.get(f"/option-lists/{ol['id']}/handout").status_code == 401
    assert _get(world, ol["id"], params={"lang": "th"}).status_code == 200
    log = every_item(
        world.client,
        "/audit",
        params={"resource": "option_list", "client_ref": "c-handout-1"},
        headers=world.as_("admin"),
    )
    reads = [e for e in log if e["action"] == "read" and e["resource_id"] == ol["id"]]
    assert len(reads) == 1 and reads[0]["detail"]["view"] == "handout" and reads[0]["detail"]["lang"] == "th"
