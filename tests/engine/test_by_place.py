"""Undecided clients see options grouped by place (issue 9, item 13)."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.catalog.codes import normalise_area
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.predicates import serves_place
from freechoice.engine.render import render_option_list

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(a=assessments(), cat=catalogs(min_size=5, max_size=60))
def test_an_undecided_client_sees_each_option_under_every_place_it_serves(a, cat):
    ol = propose(a, cat, RULES)
    s = a.situation
    if s.plan != "undecided":
        assert ol.by_place == []
        return
    wanted = [(s.location.country, s.location.area)]
    if s.intended_location is not None:
        wanted.append((s.intended_location.country, s.intended_location.area))
    wanted += [(p.country, p.area) for p in s.possible_locations]
    wanted = list(dict.fromkeys(wanted))
    assert [(g.country, g.area) for g in ol.by_place] == wanted
    assert [g.current for g in ol.by_place] == [True] + [False] * (len(wanted) - 1)
    for n in ol.needs:
        for o in n.options:
            svc = cat.service(o.service_id)
            listed_under = [
                g for g in ol.by_place for pn in g.needs if pn.need == n.need and o.option_id in pn.option_ids
            ]
            expected = [g for g in ol.by_place if serves_place(svc, (g.country, normalise_area(g.area)))]
            assert listed_under == expected and expected, o.option_id


def test_an_undecided_client_who_names_no_place_sees_where_they_are():
    a = parse_assessment(
        {
            "client_ref": "c-u",
            "needs": {"food": 4},
            "situation": {"plan": "undecided", "location": {"country": "LA", "area": "Vientiane"}, "languages": ["lo"]},
        }
    )
    from freechoice.catalog import load_sample_catalog

    ol = propose(a, load_sample_catalog(), RULES)
    assert [g.label for g in ol.by_place] == ["Where you are now: Vientiane, Laos"]
    assert "By place" in render_option_list(ol)
