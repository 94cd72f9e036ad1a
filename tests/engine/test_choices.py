"""The client chooses (never the engine): choices become referral drafts with least data shared."""

from __future__ import annotations

import pytest
from assessment_strategies import assessments
from hypothesis import given, settings
from hypothesis import strategies as st

from freechoice.catalog import load_sample_catalog
from freechoice.engine import (
    ALWAYS_SHARED,
    CONSENT_FIELDS,
    ChoiceError,
    choose,
    load_rules,
    parse_assessment,
    propose,
    render_shared_view,
    shared_view,
)
from freechoice.engine.choices import ReferralDraft

A = parse_assessment(
    {
        "client_ref": "c-choice",
        "needs": {"employment": 4, "compensation": 4, "food": 3},
        "situation": {
            "location": {"country": "TH", "area": "Samut Sakhon"},
            "languages": ["my"],
            "documents": "confiscated",
            "nationality": "MM",
            "age": 31,
            "gender": "female",
            "no_contact_with": ["police"],
            "legal_interest": ["wage_claim"],
        },
    }
)
OL = propose(A, load_sample_catalog(), load_rules())
IDS = OL.option_ids()
SERVICE_IDS = [i for i in IDS if i != "cash"]
BY_NEED = {n.need: [o.option_id for o in n.options] for n in OL.needs}


def test_the_sample_list_offers_enough_to_choose_from():
    assert len(BY_NEED["employment"]) >= 2 and len(BY_NEED["compensation"]) >= 1 and IDS[-1] == "cash"


def test_declining_everything_is_a_valid_choice():
    c = choose(OL, [])
    assert c.decision == "none_of_these" and c.referrals == [] and not c.cash_chosen
    assert c.option_list_id == OL.id and c.client_ref == "c-choice"
    later = choose(OL, [], decision="decide_later")
    assert later.decision == "decide_later" and later.referrals == []


def test_chosen_options_become_drafts_sharing_only_the_minimum_by_default():
    pick = [BY_NEED["compensation"][0], BY_NEED["employment"][1], "cash"]
    c = choose(OL, pick)
    assert c.decision == "chosen" and c.cash_chosen and c.option_ids == pick
    assert [r.option_id for r in c.referrals] == pick[:2]
    first, second = c.referrals
    assert (first.need, first.priority) == ("compensation", 4) and (second.need, second.priority) == ("employment", 4)
    offered = OL.option(pick[0])
    assert (first.service_id, first.provider_id, first.kinds) == (
        offered.service_id,
        offered.provider_id,
        offered.kinds,
    )
    assert all(r.status == "draft" and r.shared_fields == ["client_ref", "need"] for r in c.referrals)
    assert shared_view(first, A) == {"client_ref": "c-choice", "need": "compensation"}


def test_consent_is_per_referral_and_decides_what_each_provider_sees():
    legal, job = BY_NEED["compensation"][0], BY_NEED["employment"][0]
    c = choose(
        OL, [legal, job], consent={legal: ["documents", "legal_interest", "no_contact_with"], job: ["languages", "age"]}
    )
    legal_view, job_view = (shared_view(r, A) for r in c.referrals)
    assert legal_view == {
        "client_ref": "c-choice",
        "need": "compensation",
        "documents": "confiscated",
        "legal_interest": ["wage_claim"],
        "no_contact_with": ["police"],
    }
    assert job_view == {"client_ref": "c-choice", "need": "employment", "languages": ["my"], "age": 31}


def test_consent_fields_come_in_one_order_without_repeats():
    job = BY_NEED["employment"][0]
    c = choose(OL, [job], consent={job: ["nationality", "age", "age", "client_ref"]})
    assert c.referrals[0].shared_fields == ["client_ref", "need", "age", "nationality"]


def test_repeated_ids_count_once():
    job = BY_NEED["employment"][0]
    c = choose(OL, [job, "cash", job, "cash"])
    assert c.option_ids == [job, "cash"] and len(c.referrals) == 1


def test_every_problem_is_named_with_its_field_and_what_is_allowed():
    job = BY_NEED["employment"][0]
    with pytest.raises(ChoiceError) as err:
        choose(OL, [job, "employment/svc-made-up"], consent={job: ["passport_number"], "cash": ["age"]})
    problems = {p.field: p for p in err.value.problems}
    assert set(problems) == {"option_ids[1]", f"consent.{job}[0]", "consent.cash"}
    assert "not on option list" in problems["option_ids[1]"].message
    assert problems["option_ids[1]"].allowed[0] == "cash" and set(problems["option_ids[1]"].allowed) == set(IDS)
    assert list(problems[f"consent.{job}[0]"].allowed) == list(CONSENT_FIELDS)
    assert "no provider" in problems["consent.cash"].message and problems["consent.cash"].allowed == [job]
    assert "svc-made-up" in str(err.value) and "passport_number" in str(err.value)


@pytest.mark.parametrize(
    ("ids", "kwargs", "field", "allowed"),
    [
        ([], {"consent": {"employment/x": ["age"]}}, "consent.employment/x", []),
        (["cash"], {"decision": "decide_later"}, "decision", ["chosen"]),
        (["cash"], {"decision": "none_of_these"}, "decision", ["chosen"]),
        ([], {"decision": "chosen"}, "decision", ["none_of_these", "decide_later"]),
        ([], {"decision": "maybe"}, "decision", ["chosen", "none_of_these", "decide_later"]),
    ],
)
def test_a_decision_or_consent_that_does_not_fit_is_refused(ids, kwargs, field, allowed):
    with pytest.raises(ChoiceError) as err:
        choose(OL, ids, **kwargs)
    [problem] = err.value.problems
    assert problem.field == field and list(problem.allowed or []) == allowed


def test_what_the_partner_reads_holds_only_the_consented_fields():
    job = BY_NEED["employment"][0]
    draft = choose(OL, [job], consent={job: ["languages"]}).referrals[0]
    text = render_shared_view(shared_view(draft, A), provider_name=draft.provider_name)
    assert "c-choice" in text and "my" in text and draft.provider_name in text
    for withheld in ("confiscated", "MM", "31", "female", "police", "wage"):
        assert withheld not in text


@settings(max_examples=60, deadline=None)
@given(picked=st.lists(st.sampled_from(IDS) | st.sampled_from(["food/svc-none", "cash2", ""]), max_size=8))
def test_choose_never_invents_or_drops_options(picked):
    unknown = [i for i in dict.fromkeys(picked) if i not in IDS]
    if unknown:
        with pytest.raises(ChoiceError) as err:
            choose(OL, picked)
        assert [p.value for p in err.value.problems] == unknown
        return
    c = choose(OL, picked)
    assert c.option_ids == list(dict.fromkeys(picked))
    assert [r.option_id for r in c.referrals] == [i for i in c.option_ids if i != "cash"]
    for r in c.referrals:
        offered = OL.option(r.option_id)
        assert (r.service_id, r.provider_id) == (offered.service_id, offered.provider_id)


@settings(max_examples=60, deadline=None)
@given(a=assessments(), consented=st.lists(st.sampled_from(CONSENT_FIELDS), unique=True))
def test_a_provider_never_sees_a_field_the_client_did_not_consent_to(a, consented):
    draft = ReferralDraft(
        option_id="housing/svc-1",
        need="housing",
        service_id="svc-1",
        service_name="s",
        provider_id="org-1",
        provider_name="p",
        shared_fields=list(dict.fromkeys([*ALWAYS_SHARED, *consented])),
    )
    view = shared_view(draft, a)
    assert set(view) == set(ALWAYS_SHARED) | set(consented)
    full = a.situation.model_dump(mode="json")
    for field, value in view.items():
        if field in full:
            assert value == full[field]
    assert view["client_ref"] == a.client_ref
