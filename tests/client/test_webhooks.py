"""The webhook routes through the typed client, over real HTTP: subscribe, list, test,
the signed delivery checked with ``freechoice.client.verify`` at a real receiver, the
deliveries, a dead one retried, unsubscribe. The app's own deliverer sends (the
background task is off, so the test decides when)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import pytest
from client_support import Live, serve, settings_for
from webhook_receiver import Receiver, receiver

from freechoice.api.webhooks import Deliverer, RetryPolicy
from freechoice.client import (
    AsyncClient,
    Conflict,
    InvalidRequest,
    NotFound,
    SignatureError,
    SubscriptionCreated,
    verify,
)


@pytest.fixture(scope="module")
def hooked(database_url: str) -> Iterator[Live]:
    # the receiver listens on 127.0.0.1: private addresses allowed (tests/api/test_webhook_addresses.py: refused)
    with serve(settings_for(database_url, webhook_delivery=False, webhook_private_addresses=True)) as running:
        yield running


@pytest.fixture(scope="module")
def hook() -> Iterator[Receiver]:
    with receiver() as r:
        yield r


def _path(name: str) -> str:
    """A receiver path of this test's own (the receiver serves every database's tests)."""
    return f"/{name}-{uuid.uuid4().hex[:8]}"


def _deliver(live: Live, **policy: int) -> None:
    deliverer = Deliverer(live.app.state.freechoice.db, RetryPolicy(**policy), timeout_seconds=5)
    try:
        deliverer.deliver_all_due()
    finally:
        deliverer.close()


def test_subscribe_test_verify_list_and_unsubscribe(hooked, hook):
    with hooked.client("cw_a") as cw:
        path = _path("cases")
        made = cw.create_webhook(hook.url + path, description="Our case system (fictional)")
        assert isinstance(made, SubscriptionCreated) and made.secret.startswith("whsec_")
        assert made.event_types == ["referral.status_changed"] and made.organization_id == "org-cw-a"
        assert made.id in [s.id for s in cw.iter_webhooks(limit=1)]
        assert not hasattr(cw.get_webhook(made.id), "secret")  # shown once only
        first = cw.create_webhook(hook.url + path + "-retried", idempotency_key=f"retried-{path}")
        again = cw.create_webhook(hook.url + path + "-retried", idempotency_key=f"retried-{path}")
        assert first.secret is not None and first.secret.startswith("whsec_")
        assert again.id == first.id and again.secret is None, "a retry never shows the secret again"
        cw.delete_webhook(first.id)

        queued = cw.test_webhook(made.id)
        assert queued.status == "pending" and queued.event_id == 0 and queued.event_type == "webhook.test"
        _deliver(hooked)

        [got] = hook.at(path)
        event = verify(made.secret, got.body, got.headers["freechoice-signature"])
        assert event["type"] == "webhook.test" and got.headers["freechoice-delivery"] == queued.id
        with pytest.raises(SignatureError):  # another secret, or a changed body, is refused
            verify("whsec_not-the-secret", got.body, got.headers["freechoice-signature"])
        with pytest.raises(SignatureError):
            verify(made.secret, got.body.replace(b"test", b"tost"), got.headers["freechoice-signature"])

        [delivered] = cw.iter_webhook_deliveries(made.id, status="delivered")
        assert delivered.id == queued.id and delivered.attempts == 1 and delivered.last_status_code == 200
        assert cw.get_webhook(made.id).deliveries == {"pending": 0, "delivered": 1, "dead": 0}
        with pytest.raises(Conflict):
            cw.retry_webhook_delivery(made.id, delivered.id)

        assert cw.delete_webhook(made.id) is None
        with pytest.raises(NotFound):
            cw.get_webhook(made.id)


def test_a_dead_delivery_is_retried(hooked, hook):
    path = _path("down")
    hook.answer(path, 500)
    with hooked.client("partner_x") as partner:
        made = partner.create_webhook(hook.url + path)
        queued = partner.test_webhook(made.id)
        _deliver(hooked, max_attempts=1)
        [dead] = partner.iter_webhook_deliveries(made.id, status="dead")
        assert dead.id == queued.id and dead.last_status_code == 500
        again = partner.retry_webhook_delivery(made.id, dead.id)
        assert again.status == "pending" and again.attempts == 0
        _deliver(hooked)
        assert [d.status for d in partner.iter_webhook_deliveries(made.id)] == ["delivered"]
        assert json.loads(hook.at(path)[-1].body)["type"] == "webhook.test"
        partner.delete_webhook(made.id)


def test_a_bad_url_is_refused_naming_the_field(hooked):
    with hooked.client("cw_a") as cw, pytest.raises(InvalidRequest) as caught:
        cw.create_webhook("ftp://cases.example.org/hook")
    assert [p.field for p in caught.value.problems] == ["url"]


def test_another_organisations_subscription_is_not_found(hooked, hook):
    with hooked.client("cw_a") as cw, hooked.client("cw_b") as other:
        made = cw.create_webhook(hook.url + _path("mine"))
        with pytest.raises(NotFound):
            other.get_webhook(made.id)
        with pytest.raises(NotFound):
            other.delete_webhook(made.id)
        cw.delete_webhook(made.id)


def test_the_async_client_manages_webhooks(hooked, hook):
    async def manage() -> list[str]:
        async with AsyncClient(hooked.url, hooked.keys["cw_b"]) as cw:
            made = await cw.create_webhook(hook.url + _path("async"), event_types=["referral.status_changed"])
            await cw.test_webhook(made.id)
            listed = [s.id async for s in cw.iter_webhooks()]
            statuses = [d.status async for d in cw.iter_webhook_deliveries(made.id)]
            await cw.delete_webhook(made.id)
            assert listed == [made.id]
            return statuses

    assert asyncio.run(manage()) == ["pending"]
