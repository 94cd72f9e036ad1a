"""The engine's promises, as properties over random clients and generated catalogs."""

from __future__ import annotations

import pytest
from assessment_strategies import PLACES, assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import Catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import load_rules, propose
from freechoice.engine.predicates import contact_parties

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _service_ids(ol) -> set[str]:
    return {o.service_id for n in ol.needs for o in n.options}


@PROPS
@given(a=assessments(), cat=catalogs())
def test_same_input_gives_same_options_in_same_order(a, cat):
    first = propose(a, cat, RULES).model_dump(mode="json")
    again = propose(a, cat, RULES).model_dump(mode="json")
    rebuilt = Catalog(cat.organizations.values(), list(cat), sample=cat.sample)
    fresh = propose(a, rebuilt, load_rules()).model_dump(mode="json")
    assert first == again == fresh


@PROPS
@given(a=assessments(), cat=catalogs())
def test_every_need_ranked_4_has_options_or_an_explained_absence(a, cat):
    ol = propose(a, cat, RULES)
    listed = {n.need: n for n in ol.needs}
    for need, priority in a.needs.items():
        if priority == 4:
            entry = listed[need]
            assert (entry.status == "met") is (entry.unmet is None)
            if entry.status == "met":
                assert any(not o.shown_on_request for o in entry.options)
            else:
                assert entry.unmet.text


@PROPS
@given(a=assessments(), cat=catalogs())
def test_an_excluded_service_is_never_offered(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    excluded = {e.service_id for e in ol.excluded}
    assert not excluded & _service_ids(ol)
    for e in ol.excluded:
        assert e.rule in RULES.by_id and e.text


@PROPS
@given(a=assessments(), cat=catalogs(), data=st.data())
def test_raising_a_priority_never_moves_the_need_later(a, cat, data):
    below_4 = [n for n, p in a.needs.items() if p < 4]
    if not below_4:
        return
    need = data.draw(st.sampled_from(sorted(below_4)))
    raised = a.model_copy(update={"needs": {**a.needs, need: a.needs[need] + 1}})
    before = [n.need for n in propose(a, cat, RULES, all_needs=True).needs]
    after = [n.need for n in propose(raised, cat, RULES, all_needs=True).needs]
    assert after.index(need) <= before.index(need)


@PROPS
@given(a=assessments(), cat=catalogs(), seed=st.integers(0, 10_000))
def test_adding_a_service_never_removes_another_services_eligibility(a, cat, seed):
    before = propose(a, cat, RULES, all_needs=True)
    orgs, extra = generate_services(1, seed=seed, places=PLACES)
    new = extra[0].model_copy(update={"id": "added-service", "organization_id": next(iter(cat.organizations))})
    grown = Catalog(cat.organizations.values(), [*cat, new], sample=True)
    after = propose(a, grown, RULES, all_needs=True)
    assert _service_ids(before) <= _service_ids(after)
    assert {(e.service_id, e.need, e.rule) for e in before.excluded} == {
        (e.service_id, e.need, e.rule) for e in after.excluded if e.service_id != "added-service"
    }


@PROPS
@given(a=assessments(), cat=catalogs())
def test_no_option_breaks_a_limit_the_client_set(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    s = a.situation
    for sid in _service_ids(ol):
        svc = cat.service(sid)
        assert not contact_parties(svc) & set(s.no_contact_with), sid
        if svc.employment is not None:
            emp = svc.employment
            assert not set(emp.sectors) & set(s.avoid_sectors), sid
            if "light_work_only" in s.work_limits:
                assert emp.light_work_available, sid
            if "no_sea_work" in s.work_limits:
                assert not emp.at_sea and "fishing" not in emp.sectors, sid
            if "no_night_work" in s.work_limits:
                assert not emp.night_work, sid
            if "part_time_only" in s.work_limits:
                assert not emp.full_time, sid
        assert svc.capacity.status != "full", sid


@pytest.mark.parametrize("size", [40])
def test_properties_see_real_options(size):
    """Guard against vacuous properties: the generated worlds do produce options and exclusions."""
    from hypothesis import find

    found = find(
        st.tuples(assessments(), catalogs(min_size=size, max_size=size)),
        lambda ac: bool(_service_ids(propose(ac[0], ac[1], RULES))) and bool(propose(ac[0], ac[1], RULES).excluded),
        settings=settings(max_examples=200, deadline=None, database=None),
    )
    assert found
