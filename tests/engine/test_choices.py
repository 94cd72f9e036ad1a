"""The client chooses (never the engine): choices become referral drafts with least data shared."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freechoice.catalog import load_sample_catalog
from freechoice.engine import CONSENT_FIELDS, ChoiceError, choose, load_rules, parse_assessment, propose, shared_view

A = parse_assessment(
    {
        "client_ref": "c-choice",
        "needs": {"employment": 4, "compensation": 4, "food": 3},
        "situation": {"location": {"country": "TH", "area": "Samut Sakhon"}, "languages": ["my"], "documents": "valid",
                      "nationality": "MM", "age": 31, "gender": "female"},
    }
)
OL = propose(A, load_sample_catalog(), load_rules())
IDS = OL.option_ids()


def test_declining_everything_is_a_valid_choice():
    c = choose(OL, [])
    assert c.decision == "none_of_these" and c.referrals == [] and not c.cash_chosen
    later = choose(OL, [], decision="decide_later")
    assert later.decision == "decide_later"


def test_chosen_options_become_drafts_sharing_only_the_minimum_by_default():
    pick = [i for i in IDS if i != "cash"][:2] + ["cash"]
    c = choose(OL, pick)
    assert c.decision == "chosen" and c.cash_chosen
    assert [r.option_id for r in c.referrals] == pick[:2]
    assert all(r.status == "draft" and r.shared_fields == ["client_ref", "need"] for r in c.referrals)
    view = shared_view(c.referrals[0], A)
    assert view == {"client_ref": "c-choice", "need": c.referrals[0].need}


def test_consent_decides_what_each_provider_sees():
    first = next(i for i in IDS if i != "cash")
    c = choose(OL, [first], consent={first: ["languages", "age"]})
    view = shared_view(c.referrals[0], A)
    assert view == {"client_ref": "c-choice", "languages": ["my"], "age": 31}
    assert "gender" not in view and "nationality" not in view


def test_bad_choices_name_what_is_allowed():
    with pytest.raises(ChoiceError, match="not on option list") as err:
        choose(OL, ["employment/svc-made-up"])
    assert "cash" in str(err.value)
    first = next(i for i in IDS if i != "cash")
    with pytest.raises(ChoiceError, match="cannot share"):
        choose(OL, [first], consent={first: ["passport_number"]})
    with pytest.raises(ChoiceError, match="not chosen"):
        choose(OL, [], consent={first: ["age"]})
    with pytest.raises(ChoiceError, match="takes no option ids"):
        choose(OL, [first], decision="decide_later")


@settings(max_examples=50, deadline=None)
@given(picked=st.lists(st.sampled_from(IDS), unique=True))
def test_choose_never_invents_or_drops_options(picked):
    c = choose(OL, picked)
    assert c.option_ids == picked
    assert {r.option_id for r in c.referrals} == set(picked) - {"cash"}
    for r in c.referrals:
        assert set(r.shared_fields) <= set(CONSENT_FIELDS)
