"""Idempotency-Key: a creating POST whose answer is lost is sent again with the same key
and creates nothing twice; a move, which is not safe to repeat, is never resent."""

from __future__ import annotations

import copy

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X
from client_support import LosesAnswers

from freechoice.client import InvalidRequest


def _assessment(client_ref: str) -> dict:
    return {**copy.deepcopy(ASSESSMENT), "client_ref": client_ref}


def test_a_lost_answer_is_retried_with_the_same_key_and_creates_one_list(live):
    transport = LosesAnswers(losses=1)
    with live.client("cw_a", transport=transport) as cw:
        made = cw.create_option_list(_assessment("c-client-retry"))
        stored = [s.id for s in cw.iter_option_lists(client_ref="c-client-retry")]
    posts = [h for m, p, h, s in transport.seen if m == "POST"]
    assert len(posts) == 2 and posts[0]["idempotency-key"] == posts[1]["idempotency-key"]
    assert stored == [made.id]  # the server made it once; the retry was answered with it


def test_your_own_key_replays_the_first_answer(live):
    with live.client("cw_a") as cw:
        first = cw.create_option_list(_assessment("c-client-key"), idempotency_key="client-test-key-1")
        again = cw.create_option_list(_assessment("c-client-key"), idempotency_key="client-test-key-1")
        assert again == first
        with pytest.raises(InvalidRequest) as caught:  # the same key with another body
            cw.create_option_list(_assessment("c-client-other"), idempotency_key="client-test-key-1")
    assert caught.value.problems[0].field == "Idempotency-Key"


def test_without_retries_a_lost_answer_is_raised(live):
    with live.client("cw_a", transport=LosesAnswers(losses=1), retries=0) as cw, pytest.raises(httpx.ReadError):
        cw.create_option_list(_assessment("c-client-noretry"))


def test_a_move_is_not_resent_when_its_answer_is_lost(live):
    with live.client("cw_a") as cw:
        options = cw.create_option_list(_assessment("c-client-move"))
        comp = next(n for n in options.needs if n.need == "compensation")
        option = next(o for o in comp.options if o.provider_id == PARTNER_X)
        ref_id = cw.create_choice(options, [option.option_id]).referrals[0].id
    transport = LosesAnswers(losses=1)
    with live.client("cw_a", transport=transport) as lossy, pytest.raises(httpx.ReadError):
        lossy.move_referral(ref_id, "sent")
    assert [m for m, *_ in transport.seen] == ["POST"]
    with live.client("cw_a") as cw:
        assert [h.to for h in cw.get_referral(ref_id).history] == ["draft", "sent"]
