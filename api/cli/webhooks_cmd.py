"""``freechoice webhooks deliver|list|retry``: the delivery loop outside the server,
what is waiting or dead, and trying dead deliveries again."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from ._db import Url, open_database

__all__ = ["register"]

webhooks_app = typer.Typer(help="Webhook deliveries (the outbox).", no_args_is_help=True)


@webhooks_app.command("deliver")
def deliver(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
    database_url: Url = None,
) -> None:
    """Send due webhook deliveries, retrying failures on the configured schedule
    (FREECHOICE_WEBHOOK_*). Without --once it runs until stopped (Ctrl-C), looking for
    due deliveries every FREECHOICE_WEBHOOK_POLL_SECONDS; several can run at once."""
    from freechoice.api.app import webhook_policy
    from freechoice.api.settings import Settings
    from freechoice.api.webhooks import Deliverer

    settings = Settings()
    db = open_database(database_url, migrate=True)
    deliverer = Deliverer(
        db,
        webhook_policy(settings),
        timeout_seconds=settings.webhook_timeout_seconds,
        private_addresses=settings.webhook_private_addresses,
    )
    try:
        while True:
            attempts = deliverer.deliver_all_due()
            for a in attempts:
                print(json.dumps({"delivery": a.delivery_id, "status": a.status, "error": a.error}))
            if once:
                break
            time.sleep(settings.webhook_poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        deliverer.close()
        db.dispose()


@webhooks_app.command("list")
def list_deliveries(
    status: Annotated[
        str | None, typer.Option(help="Only deliveries in this status: pending, delivered or dead.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    database_url: Url = None,
) -> None:
    """Deliveries with their subscription, status, attempts and last error (no bodies)."""
    from sqlalchemy import select

    from freechoice.catalog import Problem, ValidationFailed
    from freechoice.catalog.db.tables import WebhookDelivery, WebhookSubscription

    allowed = ("pending", "delivered", "dead")
    if status is not None and status not in allowed:
        raise ValidationFailed([Problem("--status", f"unknown status {status!r}", allowed)], "option")
    db = open_database(database_url, migrate=True)
    try:
        with db.session() as s:
            q = (
                select(WebhookDelivery, WebhookSubscription.organization_id, WebhookSubscription.url)
                .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                .limit(limit)
            )
            if status is not None:
                q = q.where(WebhookDelivery.status == status)
            for d, org, url in s.execute(q):
                print(
                    json.dumps(
                        {
                            "id": d.id,
                            "subscription_id": d.subscription_id,
                            "organization_id": org,
                            "url": url,
                            "event_id": d.event_id or 0,
                            "event_type": d.event_type,
                            "status": d.status,
                            "attempts": d.attempts,
                            "next_attempt_at": d.next_attempt_at.isoformat() if d.status == "pending" else None,
                            "last_error": d.last_error,
                        }
                    )
                )
    finally:
        db.dispose()


@webhooks_app.command("retry")
def retry(
    delivery_ids: Annotated[list[str] | None, typer.Argument(help="Deliveries to try again.")] = None,
    dead: Annotated[bool, typer.Option("--dead", help="Every dead delivery.")] = False,
    database_url: Url = None,
) -> None:
    """Make deliveries due now with a fresh count of attempts (the ones named and, with
    --dead, every dead one); the delivery loop sends them. Prints how many."""
    from freechoice.api.webhooks import requeue
    from freechoice.catalog import Problem, ValidationFailed

    if not delivery_ids and not dead:
        raise ValidationFailed([Problem("DELIVERY_IDS", "name deliveries or give --dead")], "arguments")
    db = open_database(database_url, migrate=True)
    try:
        with db.writing() as s:
            ids = requeue(s, delivery_ids or None, dead=dead)
    finally:
        db.dispose()
    print(json.dumps({"requeued": len(ids), "ids": ids}))


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
