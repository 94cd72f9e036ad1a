"""Partners give their words in the clients' languages over the API."""

from __future__ import annotations

from api_support import PARTNER_X

SERVICE = {
    "id": "svc-test-translated",
    "organization_id": PARTNER_X,
    "name": "Test advice desk (fictional)",
    "application_process": "Phone first.",
    "kinds": ["legal_aid.information"],
    "service_areas": [{"country": "TH", "area": "Songkhla"}],
    "translations": {"th": {"name": "โต๊ะให้คำปรึกษา", "application_process": "โทรมาก่อน", "provenance": "by staff"}},
}


def test_a_partner_stores_and_changes_translations_of_its_service(world):
    c = world.client
    r = c.post("/services", json=SERVICE, headers=world.as_("partner_x"))
    assert r.status_code == 201, r.text
    got = c.get("/services/svc-test-translated", headers=world.as_("partner_x"))
    assert got.json()["translations"]["th"]["application_process"] == "โทรมาก่อน"
    changed = dict(SERVICE, translations={**SERVICE["translations"], "my": {"name": "အကြံပေး စားပွဲ"}})
    ok = c.put(
        "/services/svc-test-translated",
        json=changed,
        headers={**world.as_("partner_x"), "If-Match": got.headers["etag"]},
    )
    assert ok.status_code == 200, ok.text
    again = c.get("/services/svc-test-translated", headers=world.as_("partner_x")).json()
    assert set(again["translations"]) == {"th", "my"} and again["application_process"] == "Phone first."


def test_a_translation_in_a_language_freechoice_has_no_clients_for_is_refused_naming_the_allowed_codes(world):
    c = world.client
    bad = dict(SERVICE, id="svc-test-translated-bad", translations={"fr": {"name": "Bureau de conseil"}})
    r = c.post("/services", json=bad, headers=world.as_("partner_x"))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    (err,) = body["errors"]
    assert err["field"].endswith("translations")
    assert "'fr'" in err["message"] and "km, lo, my, th" in err["message"]
    assert c.get("/services/svc-test-translated-bad", headers=world.as_("partner_x")).status_code == 404


def test_an_admin_gives_an_organisations_name_in_a_client_language(world):
    c = world.client
    org = {"id": "org-test-translated", "name": "Test Network (fictional)", "translations": {"km": {"name": "បណ្តាញ"}}}
    r = c.post("/organizations", json=org, headers=world.as_("admin"))
    assert r.status_code == 201, r.text
    got = c.get("/organizations/org-test-translated", headers=world.as_("admin")).json()
    assert got["translations"] == {"km": {"name": "បណ្តាញ", "description": None, "provenance": None}}
    bad = c.put(
        "/organizations/org-test-translated",
        json=dict(org, translations={"km": {"application_process": "x"}}),
        headers=world.as_("admin"),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("translations.km.application_process")
