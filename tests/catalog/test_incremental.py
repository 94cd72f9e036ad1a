"""A catalog kept up to date one change at a time answers exactly as one rebuilt from
scratch: candidates, places, languages, version, the kind graph and the referral graph;
and the per-service cycle check refuses exactly what a full check of the graph refuses."""

from __future__ import annotations

import itertools

import pytest
from catalog_strategies import INDEX_COUNTRIES, INDEX_KINDS, INDEX_ORG, INDEX_SERVICE_IDS, index_services
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import Capacity, Catalog, ReferralCycleError, RequiredDocument, Service
from freechoice.engine import ReferralGraph, check_service, referral_graph

_REQUIRES = (*INDEX_KINDS, "documents.police_report")


@st.composite
def linked_services(draw: st.DrawFn) -> Service:
    """An index service that may also require kinds, ask for a police report and refer on
    to services of the pool (so that cycles can be drawn)."""
    svc = draw(index_services())
    docs = [RequiredDocument(code="police_report", document="Police report")] if draw(st.booleans()) else []
    return svc.model_copy(
        update={
            "requires": draw(st.lists(st.sampled_from(_REQUIRES), max_size=2, unique=True)),
            "refers_to": draw(st.lists(st.sampled_from(INDEX_SERVICE_IDS), max_size=2, unique=True)),
            "required_documents": docs,
        }
    )


def changes() -> st.SearchStrategy[list[tuple[str, object]]]:
    """Creates and updates, capacity changes, and deactivations over the pool's ids."""
    change = st.one_of(
        st.tuples(st.just("upsert"), linked_services()),
        st.tuples(
            st.just("capacity"),
            st.tuples(st.sampled_from(INDEX_SERVICE_IDS), st.sampled_from(["open", "waitlist", "full"])),
        ),
        st.tuples(st.just("deactivate"), st.sampled_from(INDEX_SERVICE_IDS)),
    )
    return st.lists(change, max_size=15)


def _full_check_refuses(catalog: Catalog, svc: Service) -> bool:
    try:
        ReferralGraph(catalog, extra=svc)
    except ReferralCycleError:
        return True
    return False


def _apply(catalog: Catalog, edits: list[tuple[str, object]]) -> None:
    """Apply ``edits`` as the API does: each change checked for cycles first, refused ones left out."""
    for op, arg in edits:
        if op == "upsert":
            assert isinstance(arg, Service)
            new = arg
        elif op == "capacity":
            sid, status = arg  # type: ignore[misc]
            old = catalog.get(sid)
            if old is None:
                continue
            new = old.model_copy(update={"capacity": Capacity(status=status)})
        else:
            old = catalog.get(str(arg))
            if old is None:
                continue
            new = old.model_copy(update={"status": "inactive"})
        refused = _full_check_refuses(catalog, new)
        try:
            check_service(catalog, new)
        except ReferralCycleError:
            assert refused, f"the per-service check refused {new.id} but the whole graph has no cycle"
            continue
        assert not refused, f"the per-service check let {new.id} close a cycle the full check finds"
        catalog.upsert_service(new)


def _answers(catalog: Catalog) -> dict[str, object]:
    places = [(c, a) for c in INDEX_COUNTRIES for a in ("Songkhla", "Trang", None)]
    graph = referral_graph(catalog)
    full = ReferralGraph(catalog)
    out: dict[str, object] = {"version": catalog.version, "lifted": catalog.lifted_edges()}
    for r in range(1, len(INDEX_KINDS) + 1):
        for kinds in itertools.combinations(INDEX_KINDS, r):
            for place in places:
                out[f"cand {kinds} {place}"] = catalog.candidates(kinds, [place])
            for country in INDEX_COUNTRIES:
                out[f"country {kinds} {country}"] = catalog.in_country(kinds, country)
    for lang in ("my", "th", "km"):
        out[f"speaking {lang}"] = catalog.speaking([lang])
    out["interpreting"] = catalog.interpreting()
    for sid in INDEX_SERVICE_IDS:
        out[f"requires {sid}"] = graph.service_requires(sid)
        out[f"onward {sid}"] = graph.onward(sid)
        # the live view gives what the whole networkx graph holds
        node = f"service:{sid}"
        edges = full.graph.out_edges(node, data="rel") if node in full.graph else []
        assert graph.onward(sid)[0] == sorted(v.removeprefix("service:") for _, v, rel in edges if rel == "refers_to")
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes())
def test_a_catalog_changed_one_service_at_a_time_answers_as_one_rebuilt(edits):
    catalog = Catalog([INDEX_ORG])
    _apply(catalog, edits)
    rebuilt = Catalog([INDEX_ORG], list(catalog))
    assert _answers(catalog) == _answers(rebuilt)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes(), linked_services())
def test_the_per_service_cycle_check_refuses_what_the_full_check_refuses(edits, candidate):
    catalog = Catalog([INDEX_ORG])
    _apply(catalog, edits)
    refused = _full_check_refuses(catalog, candidate)
    if refused:
        with pytest.raises(ReferralCycleError):
            check_service(catalog, candidate)
    else:
        check_service(catalog, candidate)


def test_a_capacity_change_leaves_the_graph_and_moves_the_version():
    catalog = Catalog([INDEX_ORG])
    svc = Service(
        id="svc-a",
        organization_id=INDEX_ORG.id,
        name="A (fictional)",
        kinds=["food.meals"],
        location={"country": "TH", "area": "Trang"},
    )
    catalog.upsert_service(svc)
    graph, version, revision = referral_graph(catalog), catalog.version, catalog.graph_revision
    catalog.upsert_service(svc.model_copy(update={"capacity": Capacity(status="full")}))
    assert catalog.graph_revision == revision and referral_graph(catalog) is graph
    assert catalog.version != version
    catalog.upsert_service(svc)
    assert catalog.version == version  # equal content, equal version
