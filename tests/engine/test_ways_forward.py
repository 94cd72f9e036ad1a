"""An unmet need always has a way forward (issue 9, item 9), and no way forward breaks
a limit the client set: checked against catalog facts."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.engine import load_rules, propose
from freechoice.engine.forward import MONEY_MEETS

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(a=assessments(), cat=catalogs(min_size=5, max_size=60))
def test_every_unmet_need_has_a_way_forward_that_keeps_the_clients_limits(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    refused = set(a.situation.no_contact_with)
    countries = {country for country, _ in a.places()}
    for need in ol.needs:
        if need.unmet is None:
            continue
        ways = need.unmet.ways_forward
        assert ways and ways[-1].kind == "caseworker"
        assert not need.unmet.text.rstrip(".").lower().endswith(("found", "nothing was found"))
        assert ("cash" in {w.kind for w in ways}) == (need.need in MONEY_MEETS)
        for w in ways:
            assert w.text
            if w.service_id is None:
                continue
            svc = cat.service(w.service_id)
            brings = set(svc.contact_with) | (
                set(svc.reports_to) if svc.reports_to_authorities == "mandatory" else set()
            )
            if w.kind != "interpreter":  # an interpreter way names a near miss, blocked by language only
                assert not brings & refused, (need.need, w.service_id)
                assert svc.capacity.status != "full"
                assert any(c in countries for c, _ in svc.places())
            else:
                miss = next(m for m in need.unmet.near_misses if m.service_id == w.service_id)
                assert set(miss.rules) == {"no-shared-language"}


def test_a_service_elsewhere_names_its_place_and_about_how_far_it_is():
    from freechoice.catalog import Catalog, Organization, Service
    from freechoice.engine import parse_assessment

    org = Organization(id="org-w", name="Hospitals (fictional)", sample=True)
    far = Service(
        id="svc-w",
        organization_id="org-w",
        name="Hospital",
        kinds=["health.hospital"],
        service_areas=[{"country": "TH", "area": "Bangkok"}],
        languages=["my"],
    )
    a = parse_assessment(
        {
            "client_ref": "c-w",
            "needs": {"serious_medical": 4},
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
        }
    )
    (need,) = propose(a, Catalog([org], [far], sample=True), RULES).needs
    first = need.unmet.ways_forward[0]
    assert (first.kind, first.service_id, first.place) == ("elsewhere", "svc-w", "Bangkok")
    assert first.text == "Elsewhere in Thailand: Hospital (Hospitals (fictional)) in Bangkok, about 750 km away."
    assert need.unmet.text.endswith(need.unmet.ways_forward[-1].text)


def test_ways_forward_weigh_a_bounded_number_of_services_at_an_unknown_distance():
    """5,000 hospitals in districts without coordinates: the need still gets a service
    elsewhere, while only a bounded number of the country's hospitals are read."""
    from freechoice.catalog import Catalog, Organization, Service
    from freechoice.engine import parse_assessment
    from freechoice.engine.forward import CONSIDERED

    class ReadCounting(Catalog):
        """The real catalog, noting which services' cards a list read."""

        read: set[str]

        def card(self, service_id):
            self.read.add(service_id)
            return super().card(service_id)

    org = Organization(id="org-d", name="District hospitals (fictional)", sample=True)
    services = [
        Service(
            id=f"svc-d-{i:05d}",
            organization_id="org-d",
            name=f"District hospital {i}",
            kinds=["health.hospital"],
            service_areas=[{"country": "TH", "area": f"District {i + 1}"}],
            languages=["my"],
        )
        for i in range(5_000)
    ]
    cat = ReadCounting([org], services, sample=True)
    cat.read = set()
    a = parse_assessment(
        {
            "client_ref": "c-d",
            "needs": {"serious_medical": 4},
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
        }
    )
    (need,) = propose(a, cat, RULES).needs
    elsewhere = [w for w in need.unmet.ways_forward if w.kind == "elsewhere"]
    assert [w.service_id for w in elsewhere] == ["svc-d-00000", "svc-d-00001"]
    assert elsewhere[0].place == "District 1"
    assert len(cat.read) <= CONSIDERED + 10 < len(services)
