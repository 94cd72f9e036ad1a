"""The main journey over HTTP: assessment -> options -> choice -> referral -> feedback -> KPIs."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT, PARTNER_X, every_item


def _ol(world, who="cw_a", body=None, **headers):
    return world.client.post("/option-lists", json=body or ASSESSMENT, headers={**world.as_(who), **headers})


def test_option_list_is_stored_exactly_as_offered(world):
    r = _ol(world)
    assert r.status_code == 201, r.text
    ol = r.json()
    assert ol["client_ref"] == "c-api-1" and ol["needs"][0]["need"] == "compensation"
    assert all(
        e["service_id"] != "svc-songkhla-provincial-legal-desk" or "immigration" in e["text"] for e in ol["excluded"]
    )
    assert any(e["service_id"] == "svc-songkhla-provincial-legal-desk" for e in ol["excluded"])
    again = world.client.get(f"/option-lists/{ol['id']}", headers=world.as_("cw_a")).json()
    assert again == ol
    # the catalog moves on; the stored list does not
    svc = world.client.get("/services/svc-songkhla-wage-claim", headers=world.as_("partner_x"))
    etag = svc.headers["etag"]
    changed = world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "full", "until": "2027-03-01"},
        headers={**world.as_("partner_x"), "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert world.client.get(f"/option-lists/{ol['id']}", headers=world.as_("cw_a")).json() == ol
    fresh = _ol(world).json()
    assert fresh["catalog_version"] != ol["catalog_version"]
    offered = [o["service_id"] for n in fresh["needs"] for o in n["options"]]
    assert "svc-songkhla-wage-claim" not in offered
    world.client.patch(
        "/services/svc-songkhla-wage-claim/capacity",
        json={"status": "open"},
        headers={**world.as_("partner_x"), "If-Match": changed.headers["etag"]},
    )


def test_invalid_assessment_is_a_problem_naming_fields_and_allowed_values(world):
    bad = copy.deepcopy(ASSESSMENT)
    bad["needs"]["compensation"] = 5
    bad["situation"]["documents"] = "stolen"
    bad["situation"]["shoe_size"] = 42
    r = _ol(world, body=bad)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert "needs.compensation" in errors and "4" in errors["needs.compensation"]["allowed"]
    assert "confiscated" in errors["situation.documents"]["allowed"]
    assert "unknown field" in errors["situation.shoe_size"]["message"]


def test_idempotent_retry_creates_nothing_twice(world):
    first = _ol(world, **{"Idempotency-Key": "retry-1"})
    second = _ol(world, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("idempotent-replayed") == "true"
    lists = every_item(world.client, "/option-lists", params={"client_ref": "c-api-1"}, headers=world.as_("cw_a"))
    assert sum(1 for x in lists if x["id"] == first.json()["id"]) == 1


def test_choice_referral_lifecycle_feedback_and_kpis(world):
    ol = _ol(world).json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    r = world.client.post(
        f"/option-lists/{ol['id']}/choices",
        json={"option_ids": [option["option_id"], "cash"], "consent": {option["option_id"]: ["languages"]}},
        headers=world.as_("cw_a"),
    )
    assert r.status_code == 201, r.text
    choice = r.json()
    assert choice["cash_chosen"] and len(choice["referrals"]) == 1
    ref_id = choice["referrals"][0]["id"]
    # a draft is invisible to the partner until it is sent
    assert world.client.get(f"/referrals/{ref_id}", headers=world.as_("partner_x")).status_code == 404
    bad = world.client.post(f"/referrals/{ref_id}/transitions", json={"to": "completed"}, headers=world.as_("cw_a"))
    assert bad.status_code == 409 and bad.json()["allowed"] == ["sent", "closed"]
    assert (
        world.client.post(
            f"/referrals/{ref_id}/transitions", json={"to": "sent"}, headers=world.as_("cw_a")
        ).status_code
        == 200
    )
    seen = world.client.get(f"/referrals/{ref_id}", headers=world.as_("partner_x")).json()
    assert seen["client"] == {"client_ref": "c-api-1", "need": "compensation", "languages": ["my"]}
    assert "option_list_id" not in seen and seen["allowed_transitions"] == ["accepted", "declined"]
    wrong_side = world.client.post(
        f"/referrals/{ref_id}/transitions", json={"to": "accepted"}, headers=world.as_("cw_a")
    )
    assert wrong_side.status_code == 409
    for to in ("accepted", "in_progress", "completed"):
        step = world.client.post(f"/referrals/{ref_id}/transitions", json={"to": to}, headers=world.as_("partner_x"))
        assert step.status_code == 200, step.text
    history = world.client.get(f"/referrals/{ref_id}", headers=world.as_("cw_a")).json()["history"]
    assert [h["to"] for h in history] == ["draft", "sent", "accepted", "in_progress", "completed"]
    fb = world.client.post(
        "/feedback",
        json={"referral_id": ref_id, "need_met": "yes", "satisfaction": 5, "would_recommend": True},
        headers=world.as_("cw_a"),
    )
    assert fb.status_code == 201, fb.text
    again_fb = world.client.post(
        "/feedback", json={"referral_id": ref_id, "need_met": "no", "satisfaction": 1}, headers=world.as_("cw_a")
    )
    assert again_fb.status_code == 409  # one referral's feedback counts once
    unlinked = world.client.post("/feedback", json={"need_met": "partly", "satisfaction": 3}, headers=world.as_("cw_a"))
    assert unlinked.status_code == 422 and unlinked.json()["errors"][0]["field"] == "token"
    k = world.client.get("/kpis", headers=world.as_("cw_a")).json()
    assert k["share_referrals_completed"] > 0 and k["feedback_count"] >= 1
    assert k["satisfaction_by_provider"][PARTNER_X]["n"] >= 1
    assert 0 <= k["share_priority_4_with_option"] <= 1
    assert k["hours_choice_to_first_service"]["n"] >= 1
    # the quality signal now shows on that service's options, with its count
    again = _ol(world).json()
    rated = [o for n in again["needs"] for o in n["options"] if o["service_id"] == option["service_id"]]
    assert rated and rated[0]["quality"]["ratings"] >= 1


def test_declining_needs_a_reason_and_shows_as_a_dropout(world):
    ol = _ol(world).json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=world.as_("cw_a")
    ).json()
    ref_id = choice["referrals"][0]["id"]
    world.client.post(f"/referrals/{ref_id}/transitions", json={"to": "sent"}, headers=world.as_("cw_a"))
    no_reason = world.client.post(
        f"/referrals/{ref_id}/transitions", json={"to": "declined"}, headers=world.as_("partner_x")
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    ok = world.client.post(
        f"/referrals/{ref_id}/transitions",
        json={"to": "declined", "reason": "no lawyer free"},
        headers=world.as_("partner_x"),
    )
    assert ok.status_code == 200
    k = world.client.get("/kpis", headers=world.as_("cw_a")).json()
    assert {"status": "declined", "reason": "no lawyer free", "count": 1} in k["dropouts"]


def test_none_of_these_and_decide_later_are_valid_choices(world):
    ol = _ol(world).json()
    for body, decision in (({"option_ids": []}, "none_of_these"), ({"decision": "decide_later"}, "decide_later")):
        r = world.client.post(f"/option-lists/{ol['id']}/choices", json=body, headers=world.as_("cw_a"))
        assert r.status_code == 201 and r.json()["decision"] == decision and r.json()["referrals"] == []
    bad = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": ["nope"]}, headers=world.as_("cw_a")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "option_ids[0]"
    assert "cash" in bad.json()["errors"][0]["allowed"]


def test_every_client_data_access_is_audited(world):
    ol = _ol(world).json()
    world.client.get(f"/option-lists/{ol['id']}", headers=world.as_("cw_a"))
    log = every_item(
        world.client, "/audit", params={"resource": "option_list", "client_ref": "c-api-1"}, headers=world.as_("admin")
    )
    actions = {(e["action"], e["resource_id"]) for e in log}
    assert ("create", ol["id"]) in actions and ("read", ol["id"]) in actions
    assert world.client.get("/audit", headers=world.as_("cw_a")).status_code == 403


def test_body_size_limit(world):
    big = {
        "client_ref": "c-big",
        "needs": {"food": 4},
        "situation": {"location": {"country": "TH"}},
        "pad": "x" * 1_100_000,
    }
    r = world.client.post("/option-lists", json=big, headers=world.as_("cw_a"))
    assert r.status_code == 413 and r.json()["status"] == 413


def test_openapi_documents_every_schema(world):
    spec = world.client.get("/openapi.json").json()
    assert "/option-lists" in spec["paths"] and "/referrals/{ref_id}/transitions" in spec["paths"]
    assert "Assessment" in spec["components"]["schemas"]
    assert world.client.get("/docs").status_code == 200


def test_referrals_are_listed_in_pages_with_their_histories(world):
    ol = _ol(world).json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    ids = [o["option_id"] for o in comp["options"]][:2]
    assert len(ids) == 2
    made = world.client.post(f"/option-lists/{ol['id']}/choices", json={"option_ids": ids}, headers=world.as_("cw_a"))
    assert made.status_code == 201, made.text
    cw = world.as_("cw_a")
    everything = every_item(world.client, "/referrals?limit=500", headers=cw)
    assert len(everything) >= 2
    # oldest first, page after page: the same referrals as one big page, each once
    assert [r["id"] for r in every_item(world.client, "/referrals?limit=1", headers=cw)] == [
        r["id"] for r in everything
    ]
    for r in everything:  # each with its own history, read with the page
        assert r["history"][0]["to"] == "draft" and r["history"][-1]["to"] == r["status"]
    drafts = every_item(world.client, "/referrals?status=draft&limit=1", headers=cw)
    assert drafts and all(r["status"] == "draft" for r in drafts)
    bad = world.client.get("/referrals?status=lost&limit=0", headers=world.as_("cw_a"))
    assert bad.status_code == 422
    fields = " ".join(str(e) for e in bad.json()["errors"])
    assert "status" in fields and "limit" in fields and "completed" in fields


def test_kpis_count_priority_needs_from_the_stored_summaries(world):
    before = world.client.get("/kpis", headers=world.as_("cw_b")).json()
    body = copy.deepcopy(ASSESSMENT) | {
        "client_ref": "c-kpi-1",
        "needs": {"compensation": 4, "food": 4, "employment": 2},
    }
    ol = _ol(world, who="cw_b", body=body).json()
    p4 = [n for n in ol["needs"] if n["priority"] == 4]
    after = world.client.get("/kpis", headers=world.as_("cw_b")).json()
    assert after["option_lists"] == before["option_lists"] + 1
    assert after["priority_4_needs"] == before["priority_4_needs"] + len(p4) == before["priority_4_needs"] + 2
    with_option = sum(1 for n in p4 if n["options"])
    total_with = round((before["share_priority_4_with_option"] or 0) * before["priority_4_needs"]) + with_option
    assert after["share_priority_4_with_option"] == round(total_with / after["priority_4_needs"], 4)


def test_show_all_on_option_list_creation_brings_back_what_is_shown_on_request(world):
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = "c-api-show-all"
    body["needs"] = {"housing": 4}
    body["situation"]["location"] = {"country": "TH", "area": "Ranong"}
    plain = _ol(world, body=body).json()
    housing = plain["needs"][0]
    assert "svc-ranong-harbour-light-shelter" not in [o["service_id"] for o in housing["options"]]
    left_out = [e for e in plain["excluded"] if e["service_id"] == "svc-ranong-harbour-light-shelter"]
    assert left_out and all(e["on_request"] for e in left_out) and "Shown on request" in left_out[0]["text"]

    r = world.client.post("/option-lists", params={"show_all": "true"}, json=body, headers=world.as_("cw_a"))
    assert r.status_code == 201, r.text
    shown = r.json()
    options = shown["needs"][0]["options"]
    assert options[-1]["service_id"] == "svc-ranong-harbour-light-shelter" and options[-1]["shown_on_request"]
    assert any("Restricts your movement" in c["text"] for c in options[-1]["cautions"])
    assert shown["show_all"] is True
    assert world.client.get(f"/option-lists/{shown['id']}", headers=world.as_("cw_a")).json() == shown
