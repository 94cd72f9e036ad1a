"""Rule packs over HTTP: list, validate, dry-run against a stored assessment, activate.
Runs last in its module's database, since activation changes what every worker uses."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT

from freechoice.rules import default_pack


def _pack_without(rule_id: str) -> dict:
    pack = default_pack().model_dump(mode="json", exclude_none=True)
    pack["pack"] = "default-variant"
    pack["rules"] = [r for r in pack["rules"] if r["id"] != rule_id]
    return pack


def test_list_validate_dry_run_activate(world, database_url):
    c = world.client
    active = c.get("/rules", headers=world.as_("cw_a")).json()
    assert active["version"].startswith("rules-") and any(r["id"] == "no-shared-language" for r in active["rules"])
    bad = c.post(
        "/rules/validate",
        json={"pack": {"pack": "p", "rules": [{"id": "rr", "description": "x", "then": {}}]}},
        headers=world.as_("admin"),
    ).json()
    assert bad["valid"] is False and any("rules[rr]" in p["field"] for p in bad["problems"])
    candidate = _pack_without("no-shared-language")
    good = c.post("/rules/validate", json={"pack": candidate}, headers=world.as_("admin")).json()
    assert good["valid"] and good["version"] != active["version"]
    body = copy.deepcopy(ASSESSMENT)
    body["needs"] = {"employment": 4}  # health and legal help are never left out over language
    body["situation"]["location"] = {"country": "TH", "area": "Songkhla"}
    body["situation"]["documents"] = "valid"
    ol = c.post("/option-lists", json=body, headers=world.as_("cw_a")).json()
    dry = c.post(
        "/rules/dry-run", json={"pack": candidate, "assessment_id": ol["assessment_id"]}, headers=world.as_("admin")
    )
    assert dry.status_code == 200, dry.text
    changes = dry.json()["changes"]
    assert "svc-songkhla-hotel-jobs" in changes["employment"]["after"]
    assert "svc-songkhla-hotel-jobs" not in changes["employment"]["before"]
    assert c.get("/rules", headers=world.as_("cw_a")).json()["version"] == active["version"]  # dry-run changed nothing
    done = c.post("/rules/activate", json={"pack": candidate}, headers=world.as_("admin"))
    assert done.status_code == 200
    assert c.get("/rules", headers=world.as_("cw_a")).json()["version"] == done.json()["version"]
    after = c.post("/option-lists", json=body, headers=world.as_("cw_a")).json()
    assert after["rules_version"] == done.json()["version"]
    history = c.get("/rules/versions", headers=world.as_("admin")).json()
    assert history["items"][0]["version"] == done.json()["version"]  # newest first: the one in force
    assert history["items"][0]["activated_at"].endswith("+00:00") and history["next"] is None
    assert c.get("/rules/versions", headers=world.as_("cw_a")).status_code == 403
    # a second worker on the same database picks the activated pack up
    from fastapi.testclient import TestClient

    from freechoice.api import Settings, create_app

    with TestClient(create_app(Settings(database_url=database_url, auto_migrate=False))) as other:
        assert other.get("/rules", headers=world.as_("cw_b")).json()["version"] == done.json()["version"]
