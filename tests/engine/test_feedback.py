"""Client feedback: clear errors, and nothing identifying required."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freechoice.catalog import ValidationFailed
from freechoice.engine.feedback import NEED_MET, hash_feedback_token, new_feedback_token, parse_feedback


def test_feedback_without_any_identifying_data_is_valid():
    fb = parse_feedback({"need_met": "partly", "satisfaction": 3})
    assert fb.anonymous and fb.referral_id is None and fb.token is None and fb.would_recommend is None


def test_feedback_through_the_caseworker_names_the_referral():
    fb = parse_feedback(
        json.dumps(
            {
                "referral_id": "rf-12",
                "need_met": "yes",
                "satisfaction": 5,
                "would_recommend": True,
                "text": "  They listened.  ",
            }
        )
    )
    assert not fb.anonymous and fb.text == "They listened." and fb.would_recommend is True


def test_an_anonymous_token_is_single_purpose_and_only_its_hash_is_kept():
    token = new_feedback_token()
    assert token.startswith("fbt_") and token != new_feedback_token()
    fb = parse_feedback({"token": token, "need_met": "no", "satisfaction": 1})
    assert fb.anonymous and fb.token == token
    digest = hash_feedback_token(token)
    assert len(digest) == 64 and token not in digest and digest == hash_feedback_token(token)


def test_every_problem_is_reported_with_the_field_and_allowed_values():
    with pytest.raises(ValidationFailed) as err:
        parse_feedback(
            {
                "need_met": "mostly",
                "satisfaction": 0,
                "would_recommend": "perhaps",
                "name": "A. Person",
                "text": "x" * 4001,
            }
        )
    problems = {p.field: p for p in err.value.problems}
    assert set(problems) == {"need_met", "satisfaction", "would_recommend", "name", "text"}
    assert list(problems["need_met"].allowed) == list(NEED_MET)
    assert list(problems["satisfaction"].allowed) == [1, 2, 3, 4, 5]
    assert "unknown field" in problems["name"].message
    assert "invalid feedback: 5 problem(s)" in str(err.value)


@pytest.mark.parametrize("satisfaction", [0, 6, 2.5, "4", True, None])
def test_satisfaction_is_a_whole_number_from_1_to_5(satisfaction):
    with pytest.raises(ValidationFailed) as err:
        parse_feedback({"need_met": "yes", "satisfaction": satisfaction})
    assert [p.field for p in err.value.problems] == ["satisfaction"]


def test_a_referral_and_a_token_together_are_refused():
    with pytest.raises(ValidationFailed) as err:
        parse_feedback({"referral_id": "rf-1", "token": new_feedback_token(), "need_met": "yes", "satisfaction": 4})
    [problem] = err.value.problems
    assert problem.field == "token" and "not both" in problem.message


@pytest.mark.parametrize("token", ["fbt_short", "abc_" + "x" * 20, "fbt_" + "x" * 20 + "!"])
def test_a_malformed_token_is_refused(token):
    with pytest.raises(ValidationFailed) as err:
        parse_feedback({"token": token, "need_met": "yes", "satisfaction": 4})
    assert [p.field for p in err.value.problems] == ["token"]


@given(
    need_met=st.sampled_from(NEED_MET),
    satisfaction=st.integers(1, 5),
    recommend=st.none() | st.booleans(),
    text=st.none() | st.text(max_size=200),
)
def test_every_valid_answer_round_trips_through_json(need_met, satisfaction, recommend, text):
    fb = parse_feedback(
        {"need_met": need_met, "satisfaction": satisfaction, "would_recommend": recommend, "text": text}
    )
    assert parse_feedback(fb.model_dump_json()) == fb
    assert fb.text is None or (fb.text == fb.text.strip() and fb.text)
