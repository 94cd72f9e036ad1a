"""The match facts read off a service record for best-first bounds (``CARD_FACTS``) are
the match facts the rules test: a bound built from them can never be wrong about them."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.engine.predicates import CARD_FACTS, ClientView, card_facts, match_facts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=assessments(), cat=catalogs())
def test_facts_read_off_the_record_are_the_match_facts(a, cat):
    cv = ClientView.of(a)
    for svc in cat:
        card = cat.card(svc.id)
        facts = match_facts(cv, card)
        assert card_facts(cv, card) == tuple(facts[key] for key in CARD_FACTS)
        assert card_facts(cv, svc) == card_facts(cv, card)  # the full record reads the same
