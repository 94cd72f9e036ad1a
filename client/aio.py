"""The asynchronous client: :class:`AsyncClient` (the same operations as :class:`~freechoice.client.Client`, awaited)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx

from ._calls import Call, Calls, Page, RetryPolicy, finish, headers_for
from .cache import ETagCache
from .models import (
    Assessment,
    ChoiceCreated,
    ChoiceRecord,
    DeliveryRecord,
    Event,
    FeedbackCode,
    FeedbackRecord,
    Kpis,
    NeedOptionsPage,
    Option,
    OptionList,
    OptionListSummary,
    Organization,
    Referral,
    Service,
    ServiceRecord,
    SubscriptionCreated,
    SubscriptionRecord,
)

__all__ = ["AsyncClient"]

T = TypeVar("T")


class AsyncClient:
    """A typed asyncio client of the freechoice HTTP API.

    ``AsyncClient("https://freechoice.example", api_key="fc_...")``; use it as an
    async context manager (or await :meth:`close`). ``transport`` is any httpx transport (tests pass
    the app's). Every creating POST sends an ``Idempotency-Key`` (yours, or a fresh one):
    a request whose answer was lost is sent again up to ``retries`` times and creates
    nothing twice. A 429 or 503 answer to a request that is safe to repeat is retried
    too, after its ``Retry-After`` (at most ``max_wait`` seconds, else raised at once)
    or ``backoff`` seconds doubling; ``sleep`` is how to wait (tests pass their own).
    Problems are raised as :class:`~freechoice.client.ApiError`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 2,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        cache_size: int = 256,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=headers_for(api_key), timeout=timeout, transport=transport
        )
        self._calls = Calls(ETagCache(cache_size))
        self.retry = RetryPolicy(retries, max_wait, backoff)
        self._sleep = sleep

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call[T]) -> T:
        """Send one call (again, where :class:`RetryPolicy` allows) and read its answer."""
        request = self._http.build_request(
            call.method, call.url, params=call.params, content=call.content, headers=dict(call.headers)
        )
        attempt = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.TransportError as err:
                wait = self.retry.after_error(call, err, attempt)
                if wait is None:
                    raise
            else:
                wait = self.retry.after_response(call, response, attempt)
                if wait is None:
                    break
            attempt += 1
            await self._sleep(wait)
        return finish(call, response)

    async def _pages(self, call: Call[Page[T]]) -> AsyncIterator[T]:
        """Every item of a list, page after page, fetched as you iterate."""
        following: Call[Page[T]] | None = call
        while following is not None:
            page = await self._send(following)
            for item in page.items:
                yield item
            following = page.next

    # -- the operations: written by tools/async_client.py from client/sync.py (do not edit below)

    # -- option lists and choices

    async def create_option_list(
        self,
        assessment: Assessment | Mapping[str, Any],
        *,
        all_needs: bool = False,
        show_all: bool = False,
        idempotency_key: str | None = None,
    ) -> OptionList:
        """Propose options for an assessment (checked here first: a bad one raises
        ``ValidationFailed`` naming the fields, before anything is sent)."""
        return await self._send(
            self._calls.create_option_list(
                assessment, all_needs=all_needs, show_all=show_all, idempotency_key=idempotency_key
            )
        )

    async def get_option_list(self, list_id: str) -> OptionList:
        """An option list as offered (cached by its ETag: a repeat read is a 304)."""
        return await self._send(self._calls.get_option_list(list_id))

    def iter_need_options(
        self, list_id: str, need: str, *, cursor: str | None = None, limit: int = 10
    ) -> AsyncIterator[Option]:
        """One need's options in the list's order, page after page: from ``cursor`` (a
        need's ``more.cursor``: the options after the ones the list shows) or, without
        one, from the need's first option. Nothing is hidden, only paged."""
        return self._pages(self._calls.iter_need_options(list_id, need, cursor, limit))

    def iter_need_option_pages(
        self, list_id: str, need: str, *, cursor: str | None = None, limit: int = 10
    ) -> AsyncIterator[NeedOptionsPage]:
        """The same pages whole, as the API answers them: each page's options (``items``),
        the need's exclusions found while it was worked out (``excluded``: the list names
        those found for its first options; every page read names every one) and whether
        it is built as the catalog is now (``as_of_now``)."""
        return self._pages(self._calls.iter_need_option_pages(list_id, need, cursor, limit))

    def iter_option_lists(self, *, client_ref: str | None = None, limit: int = 100) -> AsyncIterator[OptionListSummary]:
        """Option lists of your organisation (or one client's), newest first."""
        return self._pages(self._calls.iter_option_lists(client_ref, limit))

    async def create_choice(
        self,
        option_list: OptionList | str,
        option_ids: Sequence[str] = (),
        *,
        consent: Mapping[str, Sequence[str]] | None = None,
        decision: Literal["chosen", "none_of_these", "decide_later"] | None = None,
        note: str | None = None,
        spending_plan: Sequence[Mapping[str, Any]] | None = None,
        idempotency_key: str | None = None,
    ) -> ChoiceCreated:
        """Record the client's choice; ``consent`` maps an option id to the fields the
        client agrees to share with that provider. Chosen services become referral drafts."""
        return await self._send(
            self._calls.create_choice(
                option_list,
                option_ids,
                decision=decision,
                consent=consent,
                note=note,
                spending_plan=spending_plan,
                idempotency_key=idempotency_key,
            )
        )

    async def get_choice(self, choice_id: str) -> ChoiceRecord:
        return await self._send(self._calls.get_choice(choice_id))

    # -- referrals

    async def get_referral(self, ref_id: str) -> Referral:
        return await self._send(self._calls.get_referral(ref_id))

    def iter_referrals(
        self, *, status: str | None = None, modified_since: dt.datetime | None = None, limit: int = 100
    ) -> AsyncIterator[Referral]:
        return self._pages(self._calls.iter_referrals(status, modified_since, limit))

    async def move_referral(self, ref_id: str, to: str, reason: str | None = None) -> Referral:
        """Move a referral on (a move the caller may not make raises ``Conflict``, whose
        ``allowed`` names the ones it may)."""
        return await self._send(self._calls.move_referral(ref_id, to, reason))

    # -- feedback and KPIs

    async def create_feedback_code(self, ref_id: str) -> FeedbackCode:
        return await self._send(self._calls.create_feedback_code(ref_id))

    async def create_feedback(
        self,
        *,
        need_met: Literal["yes", "partly", "no"],
        satisfaction: int,
        referral_id: str | None = None,
        token: str | None = None,
        service_id: str | None = None,
        would_recommend: bool | None = None,
        text: str | None = None,
        idempotency_key: str | None = None,
    ) -> FeedbackRecord:
        """Record a client's feedback: by ``referral_id`` (a caseworker key) or with the
        client's feedback code as ``token`` (no key needed)."""
        return await self._send(
            self._calls.create_feedback(
                need_met=need_met,
                satisfaction=satisfaction,
                referral_id=referral_id,
                token=token,
                service_id=service_id,
                would_recommend=would_recommend,
                text=text,
                idempotency_key=idempotency_key,
            )
        )

    def iter_feedback(
        self, *, organization_id: str | None = None, service_id: str | None = None, limit: int = 100
    ) -> AsyncIterator[FeedbackRecord]:
        """Feedback recorded for your organisation's referrals, newest first (caseworker;
        an admin sees any, or one organisation's)."""
        return self._pages(self._calls.iter_feedback(organization_id, service_id, limit))

    async def get_kpis(
        self, *, organization_id: str | None = None, since: dt.date | None = None, until: dt.date | None = None
    ) -> Kpis:
        return await self._send(self._calls.get_kpis(organization_id, since, until))

    # -- services

    def iter_services(
        self,
        *,
        organization_id: str | None = None,
        kind: str | None = None,
        status: Literal["active", "inactive"] | None = None,
        limit: int = 100,
        offered: bool | None = None,
    ) -> AsyncIterator[ServiceRecord]:
        """Services in id order; ``offered``: only those offered now (true) or not (false:
        inactive, or their organisation deactivated)."""
        return self._pages(self._calls.iter_services(organization_id, kind, status, limit, offered))

    async def get_service(self, service_id: str) -> ServiceRecord:
        """A service with its version (cached by its ETag)."""
        return await self._send(self._calls.get_service(service_id))

    async def create_service(
        self, service: Service | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> ServiceRecord:
        return await self._send(self._calls.create_service(service, idempotency_key))

    async def update_service(
        self, service: Service | Mapping[str, Any], *, if_match: str | int | None = None
    ) -> ServiceRecord:
        """Replace a service. ``if_match`` is the ETag or version you last read (taken
        from ``service`` when it is a :class:`ServiceRecord`); a stale one raises
        ``PreconditionFailed``."""
        return await self._send(self._calls.update_service(service, if_match))

    async def update_capacity(
        self, service_id: str, capacity: Mapping[str, Any], *, if_match: str | int
    ) -> ServiceRecord:
        """Change capacity: ``{"status": "open" | "waitlist" | "full", "until": ..., ...}``."""
        return await self._send(self._calls.update_capacity(service_id, capacity, if_match))

    # -- organisations and events

    def iter_organizations(self, *, limit: int = 100) -> AsyncIterator[Organization]:
        return self._pages(self._calls.iter_organizations(limit))

    async def get_organization(self, org_id: str) -> Organization:
        return await self._send(self._calls.get_organization(org_id))

    async def create_organization(
        self, organization: Organization | Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> Organization:
        return await self._send(self._calls.create_organization(organization, idempotency_key))

    async def update_organization(self, organization: Organization | Mapping[str, Any]) -> Organization:
        return await self._send(self._calls.update_organization(organization))

    def iter_events(self, *, after: int = 0, limit: int = 100) -> AsyncIterator[Event]:
        """Referral changes after event ``after``, oldest first, until caught up: keep
        the last ``id`` you processed and pass it as ``after`` next time."""
        return self._pages(self._calls.iter_events(after, limit))

    # -- webhooks

    async def create_webhook(
        self,
        url: str,
        *,
        event_types: Sequence[Literal["referral.status_changed"]] | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> SubscriptionCreated:
        """Subscribe ``url`` (http or https) to your organisation's referral changes
        (``event_types``: default all). The answer's ``secret`` is shown only now: keep
        it, and check every delivery with :func:`~freechoice.client.verify`. A retry
        with the same ``idempotency_key`` answers without it (``secret`` is None): if
        the first answer was lost, delete the subscription and subscribe again."""
        return await self._send(self._calls.create_webhook(url, event_types, description, idempotency_key))

    def iter_webhooks(self, *, limit: int = 100) -> AsyncIterator[SubscriptionRecord]:
        """Your organisation's webhook subscriptions (this key's side), oldest first; never the secret."""
        return self._pages(self._calls.iter_webhooks(limit))

    async def get_webhook(self, subscription_id: str) -> SubscriptionRecord:
        """One subscription, with how many deliveries are pending, delivered and dead."""
        return await self._send(self._calls.get_webhook(subscription_id))

    async def delete_webhook(self, subscription_id: str) -> None:
        """Unsubscribe; its waiting deliveries go too."""
        return await self._send(self._calls.delete_webhook(subscription_id))

    async def test_webhook(self, subscription_id: str) -> DeliveryRecord:
        """Queue a signed ``webhook.test`` event (event id 0) to the subscription's URL."""
        return await self._send(self._calls.test_webhook(subscription_id))

    def iter_webhook_deliveries(
        self,
        subscription_id: str,
        *,
        status: Literal["pending", "delivered", "dead"] | None = None,
        limit: int = 100,
    ) -> AsyncIterator[DeliveryRecord]:
        """A subscription's deliveries, newest first: attempts, next attempt, last status and error."""
        return self._pages(self._calls.iter_webhook_deliveries(subscription_id, status, limit))

    async def retry_webhook_delivery(self, subscription_id: str, delivery_id: str) -> DeliveryRecord:
        """Make a dead (or waiting) delivery due now, with a fresh count of attempts
        (``Conflict`` once it was delivered)."""
        return await self._send(self._calls.retry_webhook_delivery(subscription_id, delivery_id))
