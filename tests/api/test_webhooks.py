"""Signed webhooks, end to end: a subscription made over HTTP, a referral change, a real
HTTP receiver on a loopback port that gets the signed event; retries on the configured
schedule with the clock driven by the test; restarts; the outbox in the change's
transaction."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webhook_receiver import receiver

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.api.webhooks import Deliverer, RetryPolicy, SignatureError, record_referral_event, verify
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.tables import ReferralEvent, ReferralRow, WebhookDelivery


class Clock:
    """The time the deliverer sees, moved by the test."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)  # rows made just now are due

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def hook():
    with receiver() as r:
        yield r


@pytest.fixture
def subscribe(world, hook):
    """Make a subscription for a role to a fresh receiver path; deleted after the test."""
    made = []

    def make(who, **body):
        path = f"/hook-{uuid.uuid4().hex[:8]}"
        r = world.client.post("/webhooks", json={"url": hook.url + path, **body}, headers=world.as_(who))
        assert r.status_code == 201, r.text
        made.append((who, r.json()["id"]))
        return r.json(), path

    yield make
    for who, sub_id in made:
        world.client.delete(f"/webhooks/{sub_id}", headers=world.as_(who))


def _db(world):
    return world.client.app.state.freechoice.db


def _deliverer(world, clock, **policy):
    return Deliverer(_db(world), RetryPolicy(**policy), timeout_seconds=5, clock=clock)


def _referral(world, client_ref="c-hooks"):
    cw = world.as_("cw_a")
    ol = world.client.post("/option-lists", json={**ASSESSMENT, "client_ref": client_ref}, headers=cw).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o.get("provider_id") == PARTNER_X)
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=cw
    ).json()
    return choice["referrals"][0]["id"]


def _move(world, who, ref, to, reason=None):
    body = {"to": to} if reason is None else {"to": to, "reason": reason}
    r = world.client.post(f"/referrals/{ref}/transitions", json=body, headers=world.as_(who))
    assert r.status_code == 200, r.text


def test_a_subscription_is_made_listed_and_deleted_and_its_secret_shown_once(world, subscribe):
    sub, _ = subscribe("cw_a", description="Case system (fictional)")
    assert sub["secret"].startswith("whsec_") and len(sub["secret"]) > 40
    assert sub["role"] == "caseworker" and sub["event_types"] == ["referral.status_changed"]
    cw = world.as_("cw_a")
    one = world.client.get(f"/webhooks/{sub['id']}", headers=cw)
    listed = world.client.get("/webhooks", headers=cw)
    assert one.status_code == 200 and one.json()["url"] == sub["url"]
    assert one.json()["deliveries"] == {"pending": 0, "delivered": 0, "dead": 0}
    assert sub["id"] in [s["id"] for s in listed.json()["items"]]
    assert sub["secret"] not in one.text + listed.text, "the secret is shown only when made"
    # another organisation, or the partner side, does not see it
    assert world.client.get(f"/webhooks/{sub['id']}", headers=world.as_("cw_b")).status_code == 404
    assert sub["id"] not in [s["id"] for s in world.client.get("/webhooks", headers=world.as_("cw_b")).json()["items"]]
    assert world.client.delete(f"/webhooks/{sub['id']}", headers=world.as_("cw_b")).status_code == 404
    assert world.client.post(f"/webhooks/{sub['id']}/test", headers=cw).status_code == 202
    assert world.client.delete(f"/webhooks/{sub['id']}", headers=cw).status_code == 204
    assert world.client.get(f"/webhooks/{sub['id']}", headers=cw).status_code == 404
    with _db(world).session() as s:  # its waiting delivery went with it
        left = select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.subscription_id == sub["id"])
        assert s.scalar(left) == 0


def test_subscriptions_and_deliveries_page_like_every_list(world, subscribe):
    made = [subscribe("partner_y")[0]["id"] for _ in range(3)]
    who = world.as_("partner_y")
    subs = every_item(world.client, "/webhooks?limit=2", headers=who)
    assert [s["id"] for s in subs][-3:] == made  # oldest first, each once
    for _ in range(5):
        world.client.post(f"/webhooks/{made[0]}/test", headers=who)
    url = f"/webhooks/{made[0]}/deliveries"
    whole = world.client.get(url, headers=who).json()
    assert whole["next"] is None and len(whole["items"]) == 5
    paged = every_item(world.client, f"{url}?limit=2", headers=who)
    assert [d["id"] for d in paged] == [d["id"] for d in whole["items"]]  # newest first, each once
    created = [d["created_at"] for d in paged]
    assert created == sorted(created, reverse=True)


def test_the_location_of_a_new_subscription_names_it(world):
    r = world.client.post("/webhooks", json={"url": "https://cases.example.org/in"}, headers=world.as_("partner_y"))
    assert r.status_code == 201 and r.headers["location"] == f"/webhooks/{r.json()['id']}"
    world.client.delete(r.headers["location"], headers=world.as_("partner_y"))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://cases.example.org/in",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "cases.example.org/in",
        "http://",
        "https://user:pass@cases.example.org/in",
        "https://cases.example.org/in put",
        "https://cases.example.org:99999/in",
    ],
)
def test_a_url_that_cannot_take_a_delivery_is_refused_naming_the_field(world, url):
    r = world.client.post("/webhooks", json={"url": url}, headers=world.as_("cw_a"))
    assert r.status_code == 422, (url, r.text)
    errors = r.json()["errors"]
    assert errors[0]["field"] == "url", errors
    if "://" not in url or url.startswith(("ftp", "file", "javascript")):
        assert "http or https" in errors[0]["message"]


def test_an_unknown_event_type_is_refused_with_the_allowed_ones(world):
    r = world.client.post(
        "/webhooks",
        json={"url": "https://x.example.org/", "event_types": ["referral.eaten"]},
        headers=world.as_("cw_a"),
    )
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"].startswith("event_types") and "referral.status_changed" in str(error)


def test_signed_events_reach_each_side_as_the_feed_shows_them(world, hook, subscribe):
    cw_sub, cw_path = subscribe("cw_a")
    px_sub, px_path = subscribe("partner_x")
    other_sub, other_path = subscribe("cw_b")
    ref = _referral(world)
    _move(world, "cw_a", ref, "sent")
    _move(world, "partner_x", ref, "declined", reason="no places left (fictional)")
    clock = Clock()
    deliverer = _deliverer(world, clock)
    try:
        attempts = deliverer.deliver_all_due()
    finally:
        deliverer.close()
    assert attempts and all(a.ok and a.status == "delivered" for a in attempts)

    def events(path, secret):
        out = []
        for got in hook.at(path):
            event = verify(secret, got.body, got.headers["freechoice-signature"], now=clock.now.timestamp())
            assert got.headers["freechoice-event"] == str(event["id"])
            assert got.headers["freechoice-event-type"] == event["type"] == "referral.status_changed"
            assert got.headers["freechoice-delivery"].startswith("dlv_")
            assert got.headers["content-type"] == "application/json"
            out.append(event)
        return [e for e in out if e["referral_id"] == ref]

    mine = events(cw_path, cw_sub["secret"])
    assert [(e["from"], e["to"]) for e in mine] == [(None, "draft"), ("draft", "sent"), ("sent", "declined")]
    # the partner never sees the draft; another organisation nothing
    theirs = events(px_path, px_sub["secret"])
    assert [(e["from"], e["to"]) for e in theirs] == [("draft", "sent"), ("sent", "declined")]
    assert events(other_path, other_sub["secret"]) == []
    # each body is the event exactly as the pull feed serves it
    feed = world.client.get("/events", params={"after": 0, "limit": 500}, headers=world.as_("cw_a")).json()["items"]
    assert mine == [e for e in feed if e["referral_id"] == ref]
    stats = world.client.get(f"/webhooks/{cw_sub['id']}", headers=world.as_("cw_a")).json()["deliveries"]
    assert stats == {"pending": 0, "delivered": 3, "dead": 0}
    # client data left the service: every delivery is in the audit log, naming the referral
    audit = world.client.get("/audit", params={"action": "deliver", "limit": 500}, headers=world.as_("admin"))
    audit = audit.json()["items"]
    sent = [e for e in audit if e["resource_id"] == ref]
    assert len(sent) == 5 and {e["organization_id"] for e in sent} == {"org-cw-a", PARTNER_X}


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_is_refused(world, hook, subscribe):
    sub, path = subscribe("cw_a")
    assert world.client.post(f"/webhooks/{sub['id']}/test", headers=world.as_("cw_a")).status_code == 202
    clock = Clock()
    deliverer = _deliverer(world, clock)
    try:
        deliverer.deliver_all_due()
    finally:
        deliverer.close()
    (got,) = hook.at(path)
    header, secret, now = got.headers["freechoice-signature"], sub["secret"], clock.now.timestamp()
    event = verify(secret, got.body, header, now=now)
    assert event["type"] == "webhook.test" and event["id"] == 0 and event["subscription_id"] == sub["id"]
    assert verify(secret, got.body, header, now=now + 299)["type"] == "webhook.test"  # within the tolerance
    tampered = got.body.replace(b"webhook.test", b"webhook.tesT")
    with pytest.raises(SignatureError, match="no signature matches"):
        verify(secret, tampered, header, now=now)
    with pytest.raises(SignatureError, match="no signature matches"):
        verify("whsec_someone-else", got.body, header, now=now)
    with pytest.raises(SignatureError, match="tolerance"):
        verify(secret, got.body, header, now=now + 301)  # a replay five minutes later
    with pytest.raises(SignatureError, match="tolerance"):
        verify(secret, got.body, header, now=now + 60, tolerance_seconds=30)
    for bad in (None, "", "v1=abc", "t=12", "t=soon,v1=abc"):
        with pytest.raises(SignatureError):
            verify(secret, got.body, bad, now=now)


def test_a_failing_receiver_gets_retries_on_the_schedule_then_the_delivery_is_dead(world, hook, subscribe):
    sub, path = subscribe("cw_a")
    hook.answer(path, 500, 503, 500, 502, 200)
    cw = world.as_("cw_a")
    queued = world.client.post(f"/webhooks/{sub['id']}/test", headers=cw).json()
    assert queued["status"] == "pending" and queued["attempts"] == 0
    clock = Clock()
    start = clock.now
    deliverer = _deliverer(world, clock, first_seconds=10, factor=2, max_seconds=25, max_attempts=4)
    assert deliverer.policy.schedule() == [10, 20, 25]
    tried_at = []
    try:
        # attempts are due 10, 20 and then 25 (the cap) seconds after each failure; not a second before
        for wait in (0, 10, 20, 25):
            if wait:
                clock.advance(wait - 1)
                assert deliverer.deliver_all_due() == [], f"tried before its time ({wait} s)"
                clock.advance(1)
            (attempt,) = deliverer.deliver_all_due()
            assert not attempt.ok and attempt.status_code in (500, 502, 503)
            tried_at.append((clock.now - start).total_seconds())
        assert attempt.status == "dead"
        clock.advance(3600)
        assert deliverer.deliver_all_due() == [], "a dead delivery is not tried again by itself"
    finally:
        deliverer.close()
    assert tried_at == [0, 10, 30, 55]
    got = hook.at(path)
    assert len(got) == 4 and len({g.headers["freechoice-delivery"] for g in got}) == 1  # one delivery id throughout
    assert len({g.headers["freechoice-signature"] for g in got}) == 4  # each attempt signed at its own time

    (dead,) = world.client.get(f"/webhooks/{sub['id']}/deliveries?status=dead", headers=cw).json()["items"]
    assert dead["id"] == queued["id"] and dead["attempts"] == 4 and dead["next_attempt_at"] is None
    assert dead["last_status_code"] == 502 and dead["last_error"].startswith("HTTP 502")

    # tried again by hand: due at once, and this time the receiver answers 200
    again = world.client.post(f"/webhooks/{sub['id']}/deliveries/{dead['id']}/retry", headers=cw)
    assert again.status_code == 200 and again.json()["status"] == "pending" and again.json()["attempts"] == 0
    deliverer = _deliverer(world, clock)
    try:
        (attempt,) = deliverer.deliver_all_due()
    finally:
        deliverer.close()
    assert attempt.ok and attempt.status == "delivered"
    done = world.client.get(f"/webhooks/{sub['id']}/deliveries", headers=cw).json()["items"][0]
    assert done["status"] == "delivered" and done["delivered_at"] and done["last_error"] is None
    retry = world.client.post(f"/webhooks/{sub['id']}/deliveries/{dead['id']}/retry", headers=cw)
    assert retry.status_code == 409


def test_an_unreachable_receiver_is_a_failed_attempt_with_the_reason(world, subscribe):
    with receiver() as gone:
        url = gone.url + "/closed"
    r = world.client.post("/webhooks", json={"url": url}, headers=world.as_("cw_a"))
    sub_id = r.json()["id"]
    try:
        world.client.post(f"/webhooks/{sub_id}/test", headers=world.as_("cw_a"))
        deliverer = _deliverer(world, Clock(), first_seconds=60)
        try:
            (attempt,) = deliverer.deliver_all_due()
        finally:
            deliverer.close()
        assert not attempt.ok and attempt.status == "pending" and attempt.status_code is None
        (row,) = world.client.get(f"/webhooks/{sub_id}/deliveries", headers=world.as_("cw_a")).json()["items"]
        assert row["last_error"].startswith("ConnectError") and row["next_attempt_at"]
    finally:
        world.client.delete(f"/webhooks/{sub_id}", headers=world.as_("cw_a"))


def test_a_rolled_back_referral_change_leaves_no_outbox_row(world, subscribe):
    subscribe("cw_a")
    ref = _referral(world, "c-rollback")
    db = _db(world)

    def counts():
        with db.session() as s:
            events = s.scalar(select(func.count()).select_from(ReferralEvent).where(ReferralEvent.referral_id == ref))
            outbox = s.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.referral_id == ref)
            )
            return events, outbox

    before = counts()
    assert before[1] >= 1  # the draft was queued with the choice

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with db.writing() as s:
            row = s.get(ReferralRow, ref, with_for_update=True)
            record_referral_event(s, row, from_status="draft", to_status="sent", reason=None, actor="test")
            s.flush()
            inside = s.scalar(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.referral_id == ref)
            )
            assert inside == before[1] + 1  # written in this transaction...
            raise Boom  # ...and gone with it
    assert counts() == before
    _move(world, "cw_a", ref, "sent")  # the same change committed: both rows stay
    assert counts() == (before[0] + 1, before[1] + 1)


def test_erasing_a_client_takes_their_pending_deliveries_with_them(world, subscribe):
    sub, _ = subscribe("cw_a")
    ref = _referral(world, "c-erase-hooks")
    _move(world, "cw_a", ref, "sent")
    pending = world.client.get(f"/webhooks/{sub['id']}/deliveries?status=pending", headers=world.as_("cw_a")).json()[
        "items"
    ]
    assert len(pending) == 2
    assert world.client.delete("/clients/c-erase-hooks", headers=world.as_("cw_a")).status_code == 200
    assert world.client.get(f"/webhooks/{sub['id']}/deliveries", headers=world.as_("cw_a")).json()["items"] == []


def test_a_deactivated_organisations_deliveries_wait_until_it_is_active_again(world, hook, subscribe):
    sub, path = subscribe("cw_b")
    world.client.post(f"/webhooks/{sub['id']}/test", headers=world.as_("cw_b"))
    admin = world.as_("admin")
    deliverer = _deliverer(world, Clock())
    try:
        assert world.client.post("/organizations/org-cw-b/deactivate", headers=admin).status_code == 200
        try:
            assert deliverer.deliver_all_due() == [] and hook.at(path) == []
        finally:
            assert world.client.post("/organizations/org-cw-b/activate", headers=admin).status_code == 200
        (attempt,) = deliverer.deliver_all_due()
    finally:
        deliverer.close()
    assert attempt.ok and len(hook.at(path)) == 1


def test_a_stopping_worker_hands_back_what_it_has_not_sent(world, hook, subscribe):
    sub, path = subscribe("cw_a")
    for _ in range(2):
        world.client.post(f"/webhooks/{sub['id']}/test", headers=world.as_("cw_a"))
    clock = Clock()
    stopping, other = _deliverer(world, clock), _deliverer(world, clock)
    try:
        stopping.stop.set()  # the server is shutting down as the batch is claimed
        assert stopping.deliver_due() == [] and hook.at(path) == []
        assert len(other.deliver_all_due()) == 2, "handed back at once, not after the lease"
    finally:
        stopping.close()
        other.close()
    assert len(hook.at(path)) == 2


def test_several_workers_claim_each_due_delivery_once(world, subscribe):
    sub, _ = subscribe("partner_x")
    for _ in range(6):
        world.client.post(f"/webhooks/{sub['id']}/test", headers=world.as_("partner_x"))
    clock = Clock()
    workers = [Deliverer(_db(world), RetryPolicy(), batch=2, clock=clock) for _ in range(4)]
    claimed: list[list[str]] = [[] for _ in workers]
    start = threading.Barrier(len(workers))

    def claim(n):
        start.wait()
        _, items = workers[n].claim(clock.now)
        claimed[n] = [i.id for i in items]

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ids = [i for c in claimed for i in c]
    mine = {
        d["id"]
        for d in world.client.get(f"/webhooks/{sub['id']}/deliveries", headers=world.as_("partner_x")).json()["items"]
    }
    assert len(ids) == len(set(ids)), "a delivery was claimed twice"
    assert mine <= set(ids)
    # claimed rows wait for their lease: nobody else takes them meanwhile
    assert workers[0].claim(clock.now)[1] == []
    for w in workers:
        w.close()


def _tiny_world(database_url):
    app = create_app(
        Settings(database_url=database_url, load_sample=True, webhook_delivery=False, webhook_private_addresses=True)
    )
    with app.state.freechoice.db.writing() as s:
        save_organization(s, Organization(id="org-restart", name="Restart caseworkers (fictional)"), "test")
        key = create_key(s, "org-restart", "caseworker", created_by="test")[1]
    return app, {"Authorization": f"Bearer {key}"}


def test_a_restart_delivers_what_was_pending_and_what_a_dead_worker_held(database_url):
    app, cw = _tiny_world(database_url)
    with receiver() as hook, TestClient(app) as client:
        sub = client.post("/webhooks", json={"url": hook.url + "/restart"}, headers=cw).json()
        first = client.post(f"/webhooks/{sub['id']}/test", headers=cw).json()
        second = client.post(f"/webhooks/{sub['id']}/test", headers=cw).json()
        clock = Clock()
        crashed = Deliverer(app.state.freechoice.db, RetryPolicy(), batch=1, timeout_seconds=5, clock=clock)
        token, held = crashed.claim(clock.now)  # then the worker dies before sending
        crashed.close()
        assert [h.id for h in held] == [first["id"]]
    # the process is gone; a new app on the same database starts
    again = create_app(Settings(database_url=database_url, webhook_delivery=False))
    with receiver() as hook2:
        with TestClient(again):
            db = again.state.freechoice.db
            with db.writing() as s:  # the subscription now points at the new receiver
                from freechoice.catalog.db.tables import WebhookSubscription

                s.get(WebhookSubscription, sub["id"]).url = hook2.url + "/restart"
            deliverer = Deliverer(db, RetryPolicy(), batch=1, timeout_seconds=5, clock=clock)
            try:
                assert [a.delivery_id for a in deliverer.deliver_all_due()] == [second["id"]]
                clock.advance(deliverer.lease.total_seconds())  # the dead worker's lease ends
                assert [a.delivery_id for a in deliverer.deliver_all_due()] == [first["id"]]
            finally:
                deliverer.close()
        got = [g.headers["freechoice-delivery"] for g in hook2.at("/restart")]
        assert got == [second["id"], first["id"]]
        for g in hook2.at("/restart"):
            verify(sub["secret"], g.body, g.headers["freechoice-signature"], now=clock.now.timestamp())
    again.state.freechoice.db.downgrade("base")


def test_the_server_delivers_in_the_background(database_url):
    """`serve` runs the delivery loop: a change reaches the receiver with nobody driving it."""
    app, cw = _tiny_world(database_url)
    app.state.freechoice.db.dispose()
    live = create_app(
        Settings(
            database_url=database_url, webhook_delivery=True, webhook_poll_seconds=0.05, webhook_private_addresses=True
        )
    )
    with receiver() as hook, TestClient(live) as client:
        sub = client.post("/webhooks", json={"url": hook.url + "/live"}, headers=cw).json()
        client.post(f"/webhooks/{sub['id']}/test", headers=cw)
        for _ in range(2000):  # a generous bound; the first poll normally finds it
            if hook.at("/live"):
                break
            threading.Event().wait(0.01)
        (got,) = hook.at("/live")
        assert verify(sub["secret"], got.body, got.headers["freechoice-signature"])["type"] == "webhook.test"
    live.state.freechoice.db.downgrade("base")
