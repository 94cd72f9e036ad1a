"""Page iteration against a server that is not freechoice: the iterator follows the
envelope's ``next`` on the same origin only, so the API key never goes to another host."""

from __future__ import annotations

import httpx
import pytest

from freechoice.client import Client, UnexpectedResponse

EVENT = {
    "id": 1,
    "type": "referral.status_changed",
    "referral_id": "rf-1",
    "from": None,
    "to": "draft",
    "at": "2026-12-02T09:00:00+00:00",
}


def _serving(next_url: str) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        if len(asked) == 1:
            return httpx.Response(200, json={"items": [EVENT], "next": next_url})
        return httpx.Response(200, json={"items": [], "next": next_url})

    return httpx.MockTransport(answer), asked


def test_next_on_the_same_origin_is_followed_until_an_empty_page():
    transport, asked = _serving("/events?after=1&limit=100")
    with Client("https://fc.example", "fc_key", transport=transport) as fc:
        assert [e.id for e in fc.iter_events()] == [1]
    assert [str(r.url) for r in asked] == [
        "https://fc.example/events?after=0&limit=100",
        "https://fc.example/events?after=1&limit=100",
    ]
    assert all(r.headers["authorization"] == "Bearer fc_key" for r in asked)


def test_next_on_another_host_is_refused_and_the_key_stays_home():
    transport, asked = _serving("https://elsewhere.example/events?after=1")
    with Client("https://fc.example", "fc_key", transport=transport) as fc, pytest.raises(UnexpectedResponse) as caught:
        list(fc.iter_events())
    assert "another origin" in caught.value.detail
    assert [r.url.host for r in asked] == ["fc.example"]
