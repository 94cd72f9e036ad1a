"""The event feed: a system that pulls sees every referral change it may see, once, in
order, by remembering the last event id."""

from __future__ import annotations

from api_support import ASSESSMENT, PARTNER_X


def _feed(world, who, after=0, limit=500):
    r = world.client.get("/events", params={"after": after, "limit": limit}, headers=world.as_(who))
    assert r.status_code == 200, r.text
    return r


def _referral_to_partner_x(world):
    cw = world.as_("cw_a")
    ol = world.client.post("/option-lists", json={**ASSESSMENT, "client_ref": "c-events"}, headers=cw).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o.get("provider_id") == PARTNER_X)
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    ).json()
    return choice["referrals"][0]["id"]


def test_a_puller_sees_each_change_once_in_order(world):
    start_cw = _feed(world, "cw_a").json()["next"]
    start_px = _feed(world, "partner_x").json()["next"]
    ref = _referral_to_partner_x(world)
    assert (
        world.client.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=world.as_("cw_a")).status_code
        == 200
    )
    assert (
        world.client.post(
            f"/referrals/{ref}/transitions", json={"to": "accepted"}, headers=world.as_("partner_x")
        ).status_code
        == 200
    )

    page = world.client.get(start_cw, headers=world.as_("cw_a"))
    mine = [(e["from"], e["to"]) for e in page.json()["items"] if e["referral_id"] == ref]
    assert mine == [(None, "draft"), ("draft", "sent"), ("sent", "accepted")]
    ids = [e["id"] for e in page.json()["items"]]
    assert ids == sorted(ids) and page.headers["link"] == f'<{page.json()["next"]}>; rel="next"'
    assert world.client.get(page.json()["next"], headers=world.as_("cw_a")).json()["items"] == []  # nothing twice

    # the partner never sees the draft stage; another caseworker organisation sees nothing
    theirs = world.client.get(start_px, headers=world.as_("partner_x")).json()["items"]
    assert [(e["from"], e["to"]) for e in theirs if e["referral_id"] == ref] == [
        ("draft", "sent"),
        ("sent", "accepted"),
    ]
    assert ref not in {e["referral_id"] for e in _feed(world, "cw_b").json()["items"]}
    assert ref not in {e["referral_id"] for e in _feed(world, "partner_y").json()["items"]}


def test_paging_by_limit_reaches_every_event(world):
    _referral_to_partner_x(world)
    everything = [e["id"] for e in _feed(world, "cw_a").json()["items"]]
    seen, url = [], "/events?after=0&limit=2"
    while True:
        page = world.client.get(url, headers=world.as_("cw_a")).json()
        if not page["items"]:
            break
        seen += [e["id"] for e in page["items"]]
        url = page["next"]
    assert seen == everything


def test_the_feed_needs_a_key_and_bounded_input(world):
    assert world.client.get("/events").status_code == 401
    assert world.client.get("/events", headers=world.as_("admin")).status_code == 403
    bad = world.client.get("/events?after=-1", headers=world.as_("cw_a"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.after"
