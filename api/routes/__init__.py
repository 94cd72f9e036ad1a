"""HTTP routers, one module per resource group."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    admin,
    clients,
    events,
    feedback,
    handout,
    hsds,
    ops,
    option_list_text,
    option_lists,
    organizations,
    referrals,
    retention,
    services,
    webhooks,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    organizations.router,
    services.router,
    option_lists.router,
    option_list_text.router,
    handout.router,
    referrals.router,
    events.router,
    webhooks.router,
    feedback.router,
    clients.router,
    retention.router,
    admin.router,
    hsds.router,
    ops.router,
]
