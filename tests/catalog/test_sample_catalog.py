"""The bundled sample catalog: fictional, marked as such, and rich enough to demo every rule."""

from __future__ import annotations

from importlib import resources

import pytest

from freechoice.catalog import NEED_IDS, kinds_for_need, load_sample_catalog

CAT = load_sample_catalog()
SERVICES = list(CAT)


def test_it_is_marked_fictional_everywhere():
    assert CAT.sample
    text = resources.files("freechoice.catalog").joinpath("sample_catalog.yaml").read_text(encoding="utf-8")
    assert "FICTIONAL" in text.splitlines()[0]
    assert all(o.sample for o in CAT.organizations.values())
    assert all(".example.org" in (o.email or "") for o in CAT.organizations.values())


def test_size_and_spread():
    assert len(SERVICES) >= 80
    assert len(CAT.organizations) >= 30
    places = {(c, a) for s in SERVICES for c, a in s.places()}
    for area in ("Samut Sakhon", "Songkhla", "Trang", "Ranong", "Bangkok"):
        assert ("TH", area) in places
    for area in ("Yangon", "Mon State", "Tanintharyi"):
        assert ("MM", area) in places
    assert {c for c, _ in places} >= {"TH", "MM", "KH", "LA"}
    assert {lang for s in SERVICES for lang in s.languages} >= {"my", "th", "km", "lo", "en"}


@pytest.mark.parametrize("need", NEED_IDS)
def test_every_need_has_an_active_service(need):
    assert CAT.candidates(kinds_for_need(need), [(c, a) for s in SERVICES for c, a in s.places()])


def test_the_hard_cases_are_present():
    def some(pred) -> bool:
        return any(pred(s) for s in SERVICES)

    assert some(lambda s: "legal_aid.wage_claim" in s.kinds and s.reports_to_authorities == "mandatory" and "immigration" in s.reports_to)
    assert some(lambda s: "housing.shelter" in s.kinds and s.restricts_movement and s.movement_note)
    assert some(lambda s: s.employment is not None and s.employment.charges_recruitment_fees)
    assert some(lambda s: s.employment is not None and s.employment.sectors == ["fishing"] and s.employment.at_sea)
    assert some(lambda s: "documents.police_report" in s.requires)
    assert some(lambda s: "documents.police_report" in s.kinds and "police" in s.contact_with)
    assert some(lambda s: s.capacity.status == "full" and s.capacity.until is not None)
    assert some(lambda s: s.capacity.status == "waitlist")
    assert some(lambda s: s.remote and "safety.hotline" in s.kinds)
    assert some(lambda s: s.acts_without_client)
    assert some(lambda s: "legal_aid.criminal_case" in s.kinds)
    assert some(lambda s: s.refers_to)


def test_every_reference_resolves():
    for s in SERVICES:
        assert s.organization_id in CAT.organizations
        for ref in s.refers_to:
            assert ref in CAT, (s.id, ref)
