"""HTTP routers, one module per resource group."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    admin,
    clients,
    events,
    feedback,
    figures,
    follow_ups,
    handout,
    hsds,
    ops,
    option_list_text,
    option_lists,
    organizations,
    referrals,
    reports,
    retention,
    services,
    spending_plans,
    transfers,
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
    figures.router,
    transfers.router,
    spending_plans.router,
    follow_ups.router,
    reports.router,
    clients.router,
    retention.router,
    admin.router,
    hsds.router,
    ops.router,
]
