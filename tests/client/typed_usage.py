"""What IDEs and mypy see of the clients' operations (checked by mypy --strict in
test_one_definition.py; never run). Each operation is written once, in client/sync.py:
the async one must show the same arguments and the same result, awaited."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import assert_type

from freechoice.client import (
    AsyncClient,
    Client,
    DeliveryRecord,
    Event,
    NeedOptionsPage,
    OptionList,
    Referral,
    ServiceRecord,
    SubscriptionCreated,
    verify,
)


def sync_usage(fc: Client, assessment: dict[str, object]) -> None:
    assert_type(fc.create_option_list(assessment, show_all=True), OptionList)
    assert_type(fc.move_referral("rf-1", "sent", reason=None), Referral)
    assert_type(fc.iter_events(after=3), Iterator[Event])
    assert_type(fc.update_capacity("svc-1", {"status": "full"}, if_match=2), ServiceRecord)
    assert_type(fc.create_webhook("https://cases.example.org/hook"), SubscriptionCreated)
    assert_type(fc.delete_webhook("wh_1"), None)
    assert_type(fc.iter_webhook_deliveries("wh_1", status="dead"), Iterator[DeliveryRecord])
    assert_type(fc.iter_need_option_pages("ol-1", "food", cursor="c"), Iterator[NeedOptionsPage])


async def async_usage(fc: AsyncClient, assessment: dict[str, object]) -> None:
    assert_type(await fc.create_option_list(assessment, show_all=True), OptionList)
    assert_type(await fc.move_referral("rf-1", "sent", reason=None), Referral)
    assert_type(fc.iter_events(after=3), AsyncIterator[Event])
    assert_type(await fc.update_capacity("svc-1", {"status": "full"}, if_match=2), ServiceRecord)
    assert_type(await fc.create_webhook("https://cases.example.org/hook"), SubscriptionCreated)
    assert_type(await fc.delete_webhook("wh_1"), None)
    assert_type(fc.iter_webhook_deliveries("wh_1", status="dead"), AsyncIterator[DeliveryRecord])
    assert_type(fc.iter_need_option_pages("ol-1", "food", cursor="c"), AsyncIterator[NeedOptionsPage])


def receiver(secret: str, body: bytes, header: str | None) -> object:
    return verify(secret, body, header)
