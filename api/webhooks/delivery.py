"""Delivering the outbox: claim due rows, POST them signed, record what happened.

Every state lives in ``webhook_deliveries``, so a restart loses nothing: a pending row
is sent when due by whichever worker claims it first. A claim is a short write
transaction that marks a batch of due rows with this worker's token and moves their
``next_attempt_at`` past the time the batch can take (the lease); on PostgreSQL the
rows are read ``FOR UPDATE SKIP LOCKED``, so several workers claim different rows
without waiting for each other (on SQLite the writer lock serialises the claims). The
HTTP requests run outside any transaction. A worker that dies mid-batch leaves its rows
to be claimed again when the lease ends: delivery is at least once, and a receiver
drops a repeated ``Freechoice-Delivery`` id.

A 2xx answer delivers; anything else (another status, a timeout, a refused
connection) is a failed attempt, retried after :class:`RetryPolicy`'s delay (doubling
from ``first_seconds``, capped at ``max_seconds``, no jitter), and the delivery is
dead after ``max_attempts`` (kept with its last error until retried by hand).
The clock is passed in, so the schedule is tested by moving it, not by waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from freechoice.catalog.db import Database
from freechoice.catalog.db.tables import OrganizationRow, WebhookDelivery, WebhookSubscription

from ..auth import Principal
from ..records import audit
from .addresses import check_resolved
from .signing import DELIVERY_HEADER, EVENT_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signature_header

if TYPE_CHECKING:  # httpx is imported with the first delivery's client (not needed to start serving)
    import httpx

__all__ = ["Attempt", "Deliverer", "RetryPolicy", "requeue", "utcnow", "webhook_loop"]

log = logging.getLogger("freechoice.webhooks")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again: ``first_seconds`` after the first failed
    attempt, then ``factor`` times longer each time, never more than ``max_seconds``;
    after ``max_attempts`` attempts in all it is dead."""

    first_seconds: float = 30.0
    factor: float = 2.0
    max_seconds: float = 3600.0
    max_attempts: int = 10

    def delay(self, attempts: int) -> dt.timedelta:
        """The wait after the ``attempts``-th failed attempt (1 for the first)."""
        seconds = min(self.first_seconds * self.factor ** max(attempts - 1, 0), self.max_seconds)
        return dt.timedelta(seconds=seconds)

    def schedule(self) -> list[float]:
        """The waits between attempts, in seconds (``max_attempts - 1`` of them)."""
        return [self.delay(n).total_seconds() for n in range(1, self.max_attempts)]


@dataclass(frozen=True)
class Attempt:
    """One attempt at one delivery."""

    delivery_id: str
    ok: bool
    status_code: int | None
    error: str | None
    status: str  # the delivery's status after it: delivered, pending or dead


@dataclass
class _Claimed:
    id: str
    organization_id: str
    subscription_id: str
    url: str
    secret: str
    event_id: int | None
    referral_id: str | None
    event_type: str
    payload: Any
    attempts: int


class Deliverer:
    """Sends the deliveries that are due (see module doc). ``clock`` gives the time
    (UTC), ``client`` the HTTP client (default: httpx with ``timeout_seconds``, no
    redirects followed); ``stop`` ends a batch early, handing back what it had not sent.
    ``private_addresses`` false: a URL whose host is, or resolves to, a non-public
    address is not sent to (a failed attempt, saying why)."""

    def __init__(
        self,
        db: Database,
        policy: RetryPolicy | None = None,
        *,
        timeout_seconds: float = 10.0,
        batch: int = 10,
        clock: Callable[[], dt.datetime] = utcnow,
        client: httpx.Client | None = None,
        private_addresses: bool = True,
    ) -> None:
        self.db, self.policy, self.batch, self.clock = db, policy or RetryPolicy(), batch, clock
        self.private_addresses = private_addresses
        self.lease = dt.timedelta(seconds=timeout_seconds * batch + 30)
        self._client, self._timeout = client, timeout_seconds
        self.stop = threading.Event()

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (made on first use)."""
        if self._client is None:
            import httpx

            self._client = httpx.Client(timeout=self._timeout, follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _due(self, now: dt.datetime) -> Any:
        return (
            select(WebhookDelivery.id)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .join(OrganizationRow, OrganizationRow.id == WebhookSubscription.organization_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                OrganizationRow.deactivated_at.is_(None),  # a deactivated organisation's wait, kept
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(self.batch)
        )

    def claim(self, now: dt.datetime) -> tuple[str, list[_Claimed]]:
        """Mark up to ``batch`` due deliveries as this worker's until the lease ends."""
        with self.db.session() as s:  # a plain read first: an idle poll takes no lock
            if s.scalar(self._due(now).limit(1)) is None:
                return "", []
        token = secrets.token_hex(8)
        with self.db.writing() as s:
            ids = list(s.scalars(self._due(now).with_for_update(skip_locked=True, of=WebhookDelivery)))
            if not ids:
                return token, []
            s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .values(claim=token, next_attempt_at=now + self.lease)
            )
            rows = s.execute(
                select(WebhookDelivery, WebhookSubscription)
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .where(WebhookDelivery.id.in_(ids))
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            ).all()
            claimed = [
                _Claimed(
                    d.id,
                    sub.organization_id,
                    sub.id,
                    sub.url,
                    sub.secret,
                    d.event_id,
                    d.referral_id,
                    d.event_type,
                    d.payload,
                    d.attempts,
                )
                for d, sub in rows
            ]
        order = {i: n for n, i in enumerate(ids)}
        return token, sorted(claimed, key=lambda c: order[c.id])

    def send(self, item: _Claimed, now: dt.datetime) -> tuple[int | None, str | None]:
        """POST one delivery; (HTTP status, error text or None when it was delivered)."""
        body = orjson.dumps(item.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "freechoice-webhooks/1",
            SIGNATURE_HEADER: signature_header(item.secret, int(now.timestamp()), body),
            DELIVERY_HEADER: item.id,
            EVENT_HEADER: str(item.event_id or 0),
            EVENT_TYPE_HEADER: item.event_type,
        }
        if not self.private_addresses:
            try:
                check_resolved(item.url)
            except ValueError as err:
                return None, f"refused: {err}"[:500]
        import httpx

        try:
            response = self.client.post(item.url, content=body, headers=headers)
        except httpx.HTTPError as err:
            return None, f"{type(err).__name__}: {err}"[:500]
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"HTTP {response.status_code} {response.reason_phrase}"[:500]

    def record(self, token: str, item: _Claimed, code: int | None, error: str | None) -> Attempt:
        """Write the outcome of one attempt (only while this worker still holds the claim)."""
        now = self.clock()
        attempts = item.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "claim": None,
            "last_attempt_at": now,
            "last_status_code": code,
            "last_error": error,
        }
        if error is None:
            status = "delivered"
            values.update(status=status, delivered_at=now, payload=None)  # what was sent is not kept
        elif attempts >= self.policy.max_attempts:
            status = "dead"
            values.update(status=status)
        else:
            status = "pending"
            values.update(next_attempt_at=now + self.policy.delay(attempts))
        with self.db.writing() as s:
            changed = s.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == item.id, WebhookDelivery.claim == token)
                .values(**values)
            ).rowcount
            if changed and error is None:  # client data left the service: recorded
                resource, resource_id = ("referral", item.referral_id) if item.referral_id else ("webhook", None)
                audit(
                    s,
                    Principal("webhooks", item.organization_id, "system"),
                    "deliver",
                    resource,
                    resource_id or item.subscription_id,
                    None,
                    delivery_id=item.id,
                    subscription_id=item.subscription_id,
                    event_id=item.event_id,
                )
        if error is not None:
            log.warning("webhook delivery %s failed (attempt %d): %s -> %s", item.id, attempts, error, status)
        return Attempt(item.id, error is None, code, error, status)

    def release(self, token: str, ids: Iterable[str]) -> None:
        """Hand back claimed deliveries that were not sent: due again at once."""
        ids = list(ids)
        if ids:
            with self.db.writing() as s:
                s.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(ids), WebhookDelivery.claim == token)
                    .values(claim=None, next_attempt_at=self.clock())
                )

    def deliver_due(self) -> list[Attempt]:
        """Claim one batch of due deliveries and send them, one after another."""
        token, items = self.claim(self.clock())
        done: list[Attempt] = []
        for n, item in enumerate(items):
            if self.stop.is_set():
                self.release(token, [i.id for i in items[n:]])
                break
            code, error = self.send(item, self.clock())
            done.append(self.record(token, item, code, error))
        return done

    def deliver_all_due(self) -> list[Attempt]:
        """Batches until nothing is due now (what failed waits for its next attempt)."""
        done: list[Attempt] = []
        while not self.stop.is_set():
            batch = self.deliver_due()
            if not batch:
                break
            done += batch
        return done


def requeue(
    session: Session, delivery_ids: Iterable[str] | None = None, *, dead: bool = False, now: dt.datetime | None = None
) -> list[str]:
    """Make deliveries due again at once with a fresh count of attempts (in the
    caller's write transaction): the ones named (pending or dead; a delivered one has
    no body left to send) and, with ``dead``, every dead one. Returns their ids."""
    q = select(WebhookDelivery.id).where(WebhookDelivery.status.in_(("pending", "dead")))
    conditions = []
    if delivery_ids is not None:
        conditions.append(WebhookDelivery.id.in_(list(delivery_ids)))
    if dead:
        conditions.append(WebhookDelivery.status == "dead")
    if not conditions:
        return []
    ids = list(session.scalars(q.where(or_(*conditions)).with_for_update()))
    if ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(status="pending", attempts=0, claim=None, next_attempt_at=now or utcnow())
        )
    return ids


async def webhook_loop(
    deliverer: Deliverer, poll_seconds: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> None:
    """The server's background task: send what is due (in a thread of its own, never
    one the requests need), then wait ``poll_seconds`` when nothing was; repeat until
    cancelled. A failure is logged and the loop goes on."""
    import anyio
    import anyio.to_thread

    limiter = anyio.CapacityLimiter(1)
    while True:
        sent: list[Attempt] = []
        try:
            sent = await anyio.to_thread.run_sync(deliverer.deliver_due, limiter=limiter)
        except Exception:  # noqa: BLE001 - a database hiccup: try again after the pause
            log.exception("webhook delivery failed")
        if not sent:
            await sleep(poll_seconds)
