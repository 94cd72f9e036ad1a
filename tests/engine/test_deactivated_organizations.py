"""A deactivated organisation's services are not offered: no option, pathway step or way
forward names one; once it is active again the list is what it was (library path)."""

from __future__ import annotations

from typing import Any

import pytest
from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import CatalogError
from freechoice.engine import load_rules, propose

RULES = load_rules()
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _service_ids(value: Any) -> set[str]:
    """Every ``service_id`` anywhere in a dumped option list."""
    if isinstance(value, dict):
        found = {value["service_id"]} if isinstance(value.get("service_id"), str) else set()
        return found.union(*(_service_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_service_ids(v) for v in value))
    return set()


def _list(a: Any, cat: Any) -> dict[str, Any]:
    return propose(
        a, cat, RULES, all_needs=True, list_id="ol-deactivated", created_at="2026-12-02T00:00:00Z"
    ).model_dump(mode="json")


@PROPS
@given(a=assessments(), cat=catalogs(min_size=5, max_size=60), pick=st.integers(0, 10_000))
def test_a_deactivated_organisations_services_are_not_offered_and_come_back_when_it_is_active(a, cat, pick):
    before = _list(a, cat)
    offered = _service_ids(before)
    owners = sorted({cat.service(sid).organization_id for sid in offered})
    if not owners:
        return
    org = owners[pick % len(owners)]
    version = cat.version

    cat.set_organization_active(org, False)
    after = _list(a, cat)
    assert not any(cat.service(sid).organization_id == org for sid in _service_ids(after))
    assert cat.version != version and org in cat.inactive_organizations

    cat.set_organization_active(org, True)
    assert cat.version == version
    assert _list(a, cat) == before


def test_an_unknown_organisation_cannot_be_deactivated():
    from freechoice.catalog import load_sample_catalog

    with pytest.raises(CatalogError, match="no organization"):
        load_sample_catalog().set_organization_active("org-nowhere", False)
