"""A catalog filled in bulk (``Catalog.add_cards``, how a worker reads the snapshot)
answers every question as one filled a service at a time does, and goes on doing so
as services change after it."""

from __future__ import annotations

import hashlib

import pytest
from assessment_strategies import PLACES, catalogs
from hypothesis import given, settings
from hypothesis import strategies as st

from freechoice.catalog import Capacity, Catalog, CatalogError, Service
from freechoice.catalog.compact import card_of
from freechoice.catalog.generate import generate_services
from freechoice.catalog.taxonomy import SERVICE_KINDS


def _digest(svc: Service) -> bytes:
    return hashlib.sha256(svc.model_dump_json().encode()).digest()


def _both(plain: Catalog) -> tuple[Catalog, Catalog]:
    held = {s.id: s for s in plain}

    def source(ids: list[str]) -> dict[str, Service]:
        return {i: held[i] for i in ids if i in held}

    one_by_one = Catalog(plain.organizations.values(), source=source)
    for svc in plain:
        one_by_one.put_card(card_of(svc, one_by_one.full_reader), _digest(svc))
    bulk = Catalog(plain.organizations.values(), source=source)
    bulk.add_cards((card_of(svc, bulk.full_reader), _digest(svc)) for svc in plain)
    return one_by_one, bulk


def _answers(catalog: Catalog) -> dict[str, object]:
    kinds = sorted(SERVICE_KINDS)
    countries = sorted({c for c, _ in PLACES})
    return {
        "version": catalog.version,
        "graph": catalog.graph_revision,
        "active": sorted(catalog.active_ids()),
        "lifted": sorted(catalog.lifted_edges()),
        "candidates": [sorted(catalog.candidates([k], [p])) for k in kinds for p in [*PLACES, ("TH", None)]],
        "in_country": [
            sorted((a or "", sorted(ids)) for a, ids in catalog.in_country([k], c).items())
            for k in kinds
            for c in countries
        ],
        "speaking": [sorted(catalog.speaking([lang])) for lang in ("th", "my", "km", "lo", "en")],
        "interpreting": sorted(catalog.interpreting()),
        "cards": {sid: catalog.card(sid).capacity for sid in catalog.active_ids()},
    }


@settings(max_examples=25, deadline=None)
@given(plain=catalogs(max_size=80), changes=st.lists(st.integers(0, 10_000), max_size=6))
def test_a_catalog_filled_in_bulk_answers_as_one_filled_a_service_at_a_time(plain, changes):
    one_by_one, bulk = _both(plain)
    assert bulk.version == plain.version
    assert _answers(bulk) == _answers(one_by_one)
    services = list(plain)
    for n, pick in enumerate(changes):  # then changes, applied to each the same way
        svc = services[pick % len(services)]
        if n % 3 == 0:
            svc = svc.model_copy(update={"status": "inactive" if svc.status == "active" else "active"})
        elif n % 3 == 1:
            svc = svc.model_copy(update={"capacity": Capacity(status="full"), "remote": not svc.remote})
        else:
            svc = svc.model_copy(update={"languages": ["lo"], "kinds": list(reversed(svc.kinds))})
        for catalog in (one_by_one, bulk):
            catalog.put_card(card_of(svc, catalog.full_reader), _digest(svc))
        assert _answers(bulk) == _answers(one_by_one)


def test_add_cards_fills_only_an_empty_card_catalog_and_refuses_what_put_card_refuses():
    orgs, services = generate_services(5, seed=1, places=PLACES)
    in_memory = Catalog(orgs)
    with pytest.raises(CatalogError, match="empty catalog"):
        in_memory.add_cards([(card_of(services[0]), _digest(services[0]))])
    cards = Catalog(orgs, source=lambda ids: {})
    with pytest.raises(CatalogError, match="duplicate service id"):
        cards.add_cards([(card_of(s), _digest(s)) for s in (services[0], services[0])])
    stranger = services[1].model_copy(update={"organization_id": "org-nobody"})
    with pytest.raises(CatalogError, match="unknown organization_id"):
        Catalog(orgs, source=lambda ids: {}).add_cards([(card_of(stranger), _digest(stranger))])
    filled = Catalog(orgs, source=lambda ids: {})
    filled.add_cards([(card_of(services[2]), _digest(services[2]))])
    with pytest.raises(CatalogError, match="empty catalog"):
        filled.add_cards([(card_of(services[3]), _digest(services[3]))])
