"""The referral lifecycle: each side moves only its own steps, reasons for drop-outs,
a history that tells who did what and when, and no way out of the graph."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freechoice.catalog import TransitionError, ValidationFailed
from freechoice.engine.choices import ReferralDraft
from freechoice.engine.referrals import (
    FINAL,
    SIDES,
    STATUSES,
    TRANSITIONS,
    Referral,
    allowed_transitions,
    check_history,
    check_transition,
    move,
    open_referral,
)

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
DRAFT = ReferralDraft(
    option_id="compensation/svc-wage",
    need="compensation",
    priority=4,
    service_id="svc-wage",
    service_name="Wage claims",
    provider_id="org-legal",
    provider_name="Legal aid (fictional)",
    kinds=["legal_aid.wage_claim"],
    shared_fields=["client_ref", "need"],
)


def fresh() -> Referral:
    return open_referral(DRAFT, referral_id="rf-1", actor="key-cw", at=T0)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def test_the_whole_way_to_completion_keeps_who_when_and_why():
    r = fresh()
    r = move(r, "sent", side="caseworker", actor="key-cw", at=hours(1))
    r = move(r, "accepted", side="partner", actor="key-p", at=hours(5))
    r = move(r, "in_progress", side="partner", actor="key-p", at=hours(30))
    r = move(r, "completed", side="partner", actor="key-p", at=hours(200), reason="wages recovered")
    assert r.status == "completed" and r.allowed() == []
    assert [(c.from_status, c.to_status, c.side, c.actor) for c in r.history] == [
        (None, "draft", "caseworker", "key-cw"),
        ("draft", "sent", "caseworker", "key-cw"),
        ("sent", "accepted", "partner", "key-p"),
        ("accepted", "in_progress", "partner", "key-p"),
        ("in_progress", "completed", "partner", "key-p"),
    ]
    assert [c.at for c in r.history] == [T0, hours(1), hours(5), hours(30), hours(200)]
    assert r.history[-1].reason == "wages recovered"
    assert (r.service_id, r.provider_id, r.kinds, r.priority) == ("svc-wage", "org-legal", ["legal_aid.wage_claim"], 4)
    assert check_history(r.history) == "completed"


def test_move_leaves_the_given_referral_as_it_was():
    r = fresh()
    sent = move(r, "sent", side="caseworker", actor="key-cw", at=hours(1))
    assert r.status == "draft" and len(r.history) == 1 and sent.status == "sent" and len(sent.history) == 2


@pytest.mark.parametrize(
    ("status", "side", "moves"),
    [
        ("draft", "caseworker", ["sent", "closed"]),
        ("draft", "partner", []),
        ("sent", "caseworker", ["closed"]),
        ("sent", "partner", ["accepted", "declined"]),
        ("accepted", "caseworker", ["closed"]),
        ("accepted", "partner", ["in_progress"]),
        ("in_progress", "caseworker", ["closed"]),
        ("in_progress", "partner", ["completed"]),
        ("declined", "caseworker", []),
        ("completed", "partner", []),
        ("closed", "caseworker", []),
    ],
)
def test_each_side_moves_only_its_own_steps(status, side, moves):
    assert allowed_transitions(status, side) == moves


def test_a_wrong_move_names_what_the_mover_and_the_other_side_may_do():
    with pytest.raises(TransitionError) as err:
        check_transition("sent", "in_progress", "partner")
    assert err.value.allowed == ["accepted", "declined"] and err.value.others == {"caseworker": ["closed"]}
    assert "allowed: accepted, declined" in str(err.value)
    with pytest.raises(TransitionError) as err:
        check_transition("draft", "sent", "partner")
    assert err.value.allowed == [] and "the caseworker may move it to sent, closed" in str(err.value)
    with pytest.raises(TransitionError) as err:
        check_transition("completed", "closed", "caseworker")
    assert err.value.allowed == [] and err.value.others == {} and "final status" in str(err.value)


@pytest.mark.parametrize("to", ["declined", "closed"])
def test_ending_early_needs_a_reason(to):
    side = TRANSITIONS[("sent", to)]
    for blank in (None, "", "   "):
        with pytest.raises(ValidationFailed) as err:
            check_transition("sent", to, side, blank)
        assert [p.field for p in err.value.problems] == ["reason"]
    check_transition("sent", to, side, "client moved away")


def test_unknown_values_are_named_with_the_allowed_ones():
    with pytest.raises(ValidationFailed) as err:
        check_transition("sent", "finished", "manager")
    problems = {p.field: p for p in err.value.problems}
    assert list(problems["to"].allowed) == list(STATUSES) and list(problems["side"].allowed) == list(SIDES)


def test_time_does_not_run_backwards_in_a_history():
    r = move(fresh(), "sent", side="caseworker", actor="key-cw", at=hours(3))
    with pytest.raises(ValidationFailed) as err:
        move(r, "accepted", side="partner", actor="key-p", at=hours(2))
    assert err.value.problems[0].field == "at"


def test_a_history_with_a_gap_or_a_wrong_side_does_not_replay():
    r = move(
        move(fresh(), "sent", side="caseworker", actor="a", at=hours(1)),
        "accepted",
        side="partner",
        actor="b",
        at=hours(2),
    )
    gap = (r.history[0], r.history[2])
    with pytest.raises(ValidationFailed, match="does not follow"):
        check_history(gap)
    wrong_side = (*r.history[:2], r.history[2].model_copy(update={"side": "caseworker"}))
    with pytest.raises(TransitionError):
        check_history(wrong_side)
    with pytest.raises(ValidationFailed, match="creation"):
        check_history(r.history[1:])


moves = st.lists(
    st.tuples(st.sampled_from(STATUSES), st.sampled_from(SIDES), st.sampled_from([None, "because"])), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(steps=moves)
def test_any_sequence_of_moves_stays_inside_the_graph(steps):
    r = fresh()
    for i, (to, side, reason) in enumerate(steps):
        before = r
        try:
            r = move(r, to, side=side, actor=f"key-{side}", reason=reason, at=hours(i))
        except TransitionError as err:
            assert (before.status, to) not in TRANSITIONS or TRANSITIONS[(before.status, to)] != side
            assert err.allowed == allowed_transitions(before.status, side)
            continue
        except ValidationFailed:
            assert to in ("declined", "closed") and reason is None
            continue
        assert TRANSITIONS[(before.status, to)] == side
        assert before.status not in FINAL
    assert r.status in STATUSES
    assert check_history(r.history) == r.status
    assert all(c.from_status is None or (c.from_status, c.to_status) in TRANSITIONS for c in r.history)
    assert all(c.to_status not in ("declined", "closed") or c.reason for c in r.history)
    assert [c.at for c in r.history] == sorted(c.at for c in r.history)
