"""A 429 from the service's real rate limit (POST /feedback, one per window here) is
waited out and retried when the request is safe to repeat, never past ``max_wait``, and
never for a plain POST. The limiter's clock is the test's: the client's ``sleep``
moves it on, so nothing waits and nothing depends on timing."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X
from client_support import Live, Recording, serve, settings_for

from freechoice.client import AsyncClient, Client, RateLimited
from freechoice.client._calls import Call, RetryPolicy, retry_after_seconds

WINDOW = 20.0  # under the default max_wait (30 s)


class Clock:
    """The rate limiters' clock, moved on only by the client's waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture(scope="module")
def limited(database_url: str) -> Iterator[Live]:
    settings = settings_for(database_url, rate_window_seconds=WINDOW, feedback_per_key=1, feedback_per_address=1)
    with serve(settings) as running:
        yield running


@pytest.fixture
def clock(limited: Live) -> Clock:
    clock = Clock()
    state = limited.app.state.freechoice
    for per in ("key", "address"):
        limiter = state.limiter("feedback", per)
        limiter.clock = clock
        limiter._log.clear()  # each test starts with a fresh window
    return clock


def _referral(cw: Client, client_ref: str) -> str:
    options = cw.create_option_list({**copy.deepcopy(ASSESSMENT), "client_ref": client_ref})
    comp = next(n for n in options.needs if n.need == "compensation")
    option = next(o for o in comp.options if o.provider_id == PARTNER_X)
    return cw.create_choice(options, [option.option_id]).referrals[0].id


def _feedback_posts(transport: Recording) -> list[tuple[int, str | None]]:
    return [(s, h.get("idempotency-key")) for m, p, h, s in transport.seen if m == "POST" and p == "/feedback"]


def test_a_429_is_waited_out_for_its_retry_after_and_sent_again_with_the_same_key(limited, clock):
    transport = Recording()
    with limited.client("cw_a", transport=transport, sleep=clock.sleep) as cw:
        first, second = _referral(cw, "c-rl-1"), _referral(cw, "c-rl-2")
        cw.create_feedback(referral_id=first, need_met="yes", satisfaction=5)
        recorded = cw.create_feedback(referral_id=second, need_met="partly", satisfaction=4)
    assert recorded.referral_id == second
    posts = _feedback_posts(transport)
    assert [s for s, _ in posts] == [201, 429, 201]
    assert posts[1][1] == posts[2][1]  # the same Idempotency-Key: a repeat, never a second record
    assert clock.waits == [WINDOW]  # the server's Retry-After, in seconds


def test_a_retry_after_over_max_wait_is_raised_at_once(limited, clock):
    transport = Recording()
    with limited.client("cw_a", transport=transport, sleep=clock.sleep, max_wait=5) as cw:
        first, second = _referral(cw, "c-rl-3"), _referral(cw, "c-rl-4")
        cw.create_feedback(referral_id=first, need_met="yes", satisfaction=5)
        with pytest.raises(RateLimited) as caught:
            cw.create_feedback(referral_id=second, need_met="yes", satisfaction=5)
    assert caught.value.retry_after == WINDOW
    assert [s for s, _ in _feedback_posts(transport)] == [201, 429] and clock.waits == []


def test_retries_are_bounded(limited, clock):
    # retries=2 with a limit that never lifts (the clock is not moved by this sleep)
    transport = Recording()
    waits: list[float] = []
    with limited.client("cw_a", transport=transport, sleep=waits.append, retries=2) as cw:
        first, second = _referral(cw, "c-rl-5"), _referral(cw, "c-rl-6")
        cw.create_feedback(referral_id=first, need_met="yes", satisfaction=5)
        with pytest.raises(RateLimited):
            cw.create_feedback(referral_id=second, need_met="yes", satisfaction=5)
    assert [s for s, _ in _feedback_posts(transport)] == [201, 429, 429, 429] and waits == [WINDOW, WINDOW]


def test_a_plain_post_is_never_sent_twice(limited, clock):
    # feedback with a client's code has no API key to bind an Idempotency-Key to: not safe to repeat
    with limited.client("cw_a") as cw:
        refs = [cw.move_referral(_referral(cw, f"c-rl-code-{i}"), "sent").id for i in range(2)]
        codes = [cw.create_feedback_code(ref_id).token for ref_id in refs]
    transport = Recording()
    with Client(limited.url, transport=transport, sleep=clock.sleep) as anonymous:
        anonymous.create_feedback(token=codes[0], need_met="yes", satisfaction=5)
        with pytest.raises(RateLimited):
            anonymous.create_feedback(token=codes[1], need_met="yes", satisfaction=5)
    assert [s for s, _ in _feedback_posts(transport)] == [201, 429] and clock.waits == []


def test_the_async_client_waits_out_a_429_too(limited, clock):
    with limited.client("cw_a") as cw:
        first, second = _referral(cw, "c-rl-async-1"), _referral(cw, "c-rl-async-2")

    async def give() -> str:
        async with AsyncClient(limited.url, limited.keys["cw_a"], sleep=clock.asleep) as acw:
            await acw.create_feedback(referral_id=first, need_met="yes", satisfaction=5)
            return (await acw.create_feedback(referral_id=second, need_met="no", satisfaction=2)).referral_id

    assert asyncio.run(give()) == second and clock.waits == [WINDOW]


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = dt.datetime(2026, 12, 2, 16, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Wed, 02 Dec 2026 16:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Wed, 02 Dec 2026 15:00:00 GMT", now) == 0.0  # already past
    assert retry_after_seconds(None, now) is None and retry_after_seconds("soon", now) is None
    assert retry_after_seconds("-5", now) is None


def test_without_retry_after_the_wait_doubles_up_to_max_wait():
    policy = RetryPolicy(retries=5, max_wait=3.0, backoff=0.5)
    read = Call("GET", "/referrals", lambda response, call: None)
    post = Call("POST", "/referrals/r/transitions", lambda response, call: None, safe=False)
    busy = httpx.Response(503)
    assert [policy.after_response(read, busy, attempt) for attempt in range(6)] == [0.5, 1.0, 2.0, 3.0, 3.0, None]
    assert policy.after_response(post, busy, 0) is None  # never a plain POST twice
    assert policy.after_response(read, httpx.Response(500), 0) is None  # only 429 and 503
