"""The client's spending plan over HTTP (issue 9, item 11): kept with the choice, and
every problem named with its field and what is allowed."""

from __future__ import annotations

from api_support import ASSESSMENT


def test_a_spending_plan_is_kept_with_the_choice_and_a_bad_one_names_every_problem(world):
    ol = world.client.post("/option-lists", json=ASSESSMENT, headers=world.as_("cw_a")).json()
    need = ol["cash"]["plan_needs"][0]
    plan = [{"need": need, "amount": 5000, "note": "rent"}]
    ok = world.client.post(
        f"/option-lists/{ol['id']}/choices",
        json={"option_ids": ["cash"], "spending_plan": plan},
        headers=world.as_("cw_a"),
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["spending_plan"] == [{"need": need, "amount": 5000.0, "note": "rent"}]
    bad = world.client.post(
        f"/option-lists/{ol['id']}/choices",
        json={
            "option_ids": ["cash"],
            "spending_plan": [
                {"need": "moon_trip", "amount": 1},
                {"need": need, "amount": -3},
                {"need": need, "amount": 10**9},
            ],
        },
        headers=world.as_("cw_a"),
    )
    assert bad.status_code == 422
    errors = {e["field"]: e for e in bad.json()["errors"]}
    assert set(errors) == {"spending_plan[0].need", "spending_plan[1].amount", "spending_plan"}
    assert need in errors["spending_plan[0].need"]["allowed"]
    assert "more than" in errors["spending_plan"]["message"]
