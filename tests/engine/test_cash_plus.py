"""Cash-plus where the client will be (issue 9, item 11)."""

from __future__ import annotations

import pytest
from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.catalog import ChoiceError
from freechoice.engine import DEFAULT_MINIMUM_WAGES, cash_option, choose, load_rules, parse_assessment, propose
from freechoice.engine.forward import MONEY_MEETS
from freechoice.engine.render import render_option_list

RULES = load_rules()
PROPS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _client(plan="stay", to=None, needs=None):
    s = {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"], "plan": plan}
    if to:
        s["intended_location"] = {"country": to}
    return parse_assessment(
        {"client_ref": "c-cash", "needs": needs or {"housing": 4, "debt": 3, "compensation": 4}, "situation": s}
    )


def test_a_client_going_home_is_paid_at_home_in_its_currency_at_its_minimum_wage():
    c = cash_option(_client("return_home", "MM"))
    assert (c.country, c.currency, c.amount_per_transfer) == ("MM", "MMK", 108000.0)
    assert "Paid in Myanmar, where you plan to go, in MMK" in c.paid_in
    assert c.minimum_wage_as_of == DEFAULT_MINIMUM_WAGES["MM"][2] and c.minimum_wage_as_of in c.basis
    here = cash_option(_client("undecided", "MM"))
    assert (here.country, here.currency) == ("TH", "THB") and "where you are now" in here.paid_in
    own = cash_option(_client("move_elsewhere", "KH"), {"KH": (200.0, "USD", "2027-01-01")})
    assert (own.amount_per_transfer, own.minimum_wage_as_of) == (200.0, "2027-01-01")
    undated = cash_option(_client("move_elsewhere", "KH"), {"KH": (190.0, "USD")})
    assert undated.minimum_wage_as_of is None and undated.amount_per_transfer == 190.0


@PROPS
@given(a=assessments(), cat=catalogs(min_size=5, max_size=40))
def test_cash_is_paid_where_the_client_will_be_and_shows_under_the_needs_money_meets(a, cat):
    ol = propose(a, cat, RULES)
    s = a.situation
    going = s.plan in ("return_home", "move_elsewhere")
    assert ol.cash.country == (s.intended_location.country if going else s.location.country)
    assert ol.cash.currency == DEFAULT_MINIMUM_WAGES[ol.cash.country][1]
    for n in ol.needs:
        assert n.cash_meets == (n.need in MONEY_MEETS)
    text = render_option_list(ol)
    assert text.index("Cash:") < min((text.index(f"{i}. ") for i in range(1, len(ol.needs) + 1)), default=len(text))


def test_choose_takes_the_clients_spending_plan_and_names_every_problem():
    from freechoice.catalog import load_sample_catalog

    ol = propose(_client(), load_sample_catalog(), RULES)
    ok = choose(
        ol,
        ["cash"],
        spending_plan=[{"need": "housing", "amount": 9000, "note": "rent"}, {"need": "debt", "amount": 4500}],
    )
    assert [(p.need, p.amount) for p in ok.spending_plan] == [("housing", 9000.0), ("debt", 4500.0)]
    with pytest.raises(ChoiceError) as err:
        choose(
            ol,
            [],
            decision="decide_later",
            spending_plan=[
                {"need": "food", "amount": 10},
                {"need": "housing", "amount": "lots"},
                {"need": "debt", "amount": 1, "who": "x"},
                {"need": "housing", "amount": 50_000},
            ],
        )
    fields = [p.field for p in err.value.problems]
    assert fields == [
        "spending_plan",
        "spending_plan[0].need",
        "spending_plan[1].amount",
        "spending_plan[2].who",
        "spending_plan",
    ]
    by = {p.field: p for p in err.value.problems}
    assert list(by["spending_plan[0].need"].allowed) == ol.cash.plan_needs
    assert "27,000 THB" in by["spending_plan"].message
