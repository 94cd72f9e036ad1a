"""GET /feedback: the feedback recorded for an organisation's referrals, a page at a
time, for its caseworkers (and the network's admin); every read audited."""

from __future__ import annotations

from api_support import ASSESSMENT, PARTNER_X, every_item


def _referral(world, who="cw_a"):
    cw = world.as_(who)
    ol = world.client.post("/option-lists", json=ASSESSMENT, headers=cw).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o["provider_id"] == PARTNER_X)
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    ).json()
    ref = choice["referrals"][0]["id"]
    assert world.client.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=cw).status_code == 200
    return ref


def test_caseworkers_page_through_their_organisations_feedback_only(world):
    cw, admin = world.as_("cw_a"), world.as_("admin")
    mine = []
    for satisfaction in (2, 4, 5):
        ref = _referral(world)
        r = world.client.post(
            "/feedback", json={"referral_id": ref, "need_met": "yes", "satisfaction": satisfaction}, headers=cw
        )
        assert r.status_code == 201, r.text
        mine.append(r.json()["id"])
    code = world.client.post(f"/referrals/{_referral(world)}/feedback-token", headers=cw).json()["token"]
    anonymous = world.client.post("/feedback", json={"token": code, "need_met": "partly", "satisfaction": 3})
    assert anonymous.status_code == 201
    theirs = _referral(world, "cw_b")
    other = world.client.post(
        "/feedback", json={"referral_id": theirs, "need_met": "no", "satisfaction": 1}, headers=world.as_("cw_b")
    ).json()["id"]

    listed = every_item(world.client, "/feedback?limit=2", headers=cw)
    ids = [f["id"] for f in listed]
    assert set(mine) | {anonymous.json()["id"]} <= set(ids) and other not in ids
    assert ids[:4] == [anonymous.json()["id"], *reversed(mine)]  # newest first
    given_with_code = next(f for f in listed if f["id"] == anonymous.json()["id"])
    assert given_with_code["referral_id"] is None and given_with_code["via"] == "token"  # stays anonymous
    assert world.client.get("/feedback?organization_id=org-cw-b", headers=cw).status_code == 404
    assert other in [f["id"] for f in every_item(world.client, "/feedback?organization_id=org-cw-b", headers=admin)]
    assert world.client.get("/feedback", headers=world.as_("partner_x")).status_code == 403
    reads = every_item(world.client, "/audit", params={"resource": "feedback", "action": "read"}, headers=admin)
    assert reads and all(e["detail"]["listed"] <= 2 for e in reads if e["organization_id"] == "org-cw-a")
