"""Kinds that require each other among many services (issue 14, item 4).

A catalog loaded in bulk skips the write-time cycle check, so its services can require
kinds in a loop: identity services that need a police report first, police-report
services that need an identity document first. At 1,000,000 services the prerequisite
walk recursed through the loop's services one after another until Python gave up
(RecursionError). The walk must go no deeper than the kinds, however many services
each kind has: here hundreds of services of two or three kinds requiring each other,
built directly with ``Catalog(...)`` (no cycle check), under a low recursion limit.
Every option and step still obeys the client's limits, and the list does not depend on
the order the catalog's services came in.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from assessment_strategies import PLACES, assessments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limit_parties import KIND_MEETS, brings

from freechoice.catalog import PARTIES, SERVICE_KINDS, Catalog, Organization, Service
from freechoice.engine import Assessment, load_rules, parse_assessment, propose

RULES = load_rules()
PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# kinds a loop is made of (a step of each is a plain service the client can be sent to)
_LOOP_KINDS = (
    "documents.identity",
    "documents.police_report",
    "documents.legal_stay",
    "legal_aid.information",
    "safety.protection",
    "housing.shelter",
)
_LOW_LIMIT = 400  # far fewer frames than the loops' services


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _loop_services(loop: list[str], per_kind: int, seed: int) -> list[Service]:
    """``per_kind`` services of each kind of ``loop``, each kind requiring the next (the
    last the first), in the clients' places (fictional)."""
    rng = random.Random(seed)
    services: list[Service] = []
    for k, kind in enumerate(loop):
        after = loop[(k + 1) % len(loop)]
        for i in range(per_kind):
            country, area = rng.choice(PLACES)
            mode = rng.choice(["never", "never", "never", "with_consent", "mandatory"])
            # every one requires the next kind of the loop (a few also the one after it): a
            # service that required nothing would end the chain, whatever the walk did
            requires = [after] + ([loop[(k + 2) % len(loop)]] if rng.random() < 0.1 else [])
            services.append(
                Service.model_validate(
                    {
                        "id": f"loop-{k}-{i:04d}",
                        "organization_id": "org-loop",
                        "name": f"Loop service {k}-{i}",
                        "kinds": [kind],
                        "service_areas": [{"country": country, "area": rng.choice([area, None])}],
                        "languages": rng.choice([["my", "th"], ["my", "th", "km", "lo", "en"]]),
                        "contact_with": rng.sample(PARTIES, k=rng.choice([0, 0, 0, 1])),
                        "reports_to_authorities": mode,
                        "reports_to": rng.sample(PARTIES, k=1) if mode != "never" else [],
                        "requires": sorted(set(requires) - {kind}),
                        "capacity": {"status": rng.choice(["open", "open", "waitlist", "full"])},
                    }
                )
            )
    return services


@st.composite
def loop_worlds(draw: st.DrawFn) -> tuple[list[str], list[Service]]:
    """A loop of two or three kinds with hundreds of services of each."""
    loop = draw(st.lists(st.sampled_from(_LOOP_KINDS), min_size=2, max_size=3, unique=True))
    return loop, _loop_services(loop, draw(st.integers(100, 250)), draw(st.integers(0, 2**32 - 1)))


def _needing(a: Assessment, loop: list[str]) -> Assessment:
    """The client, needing what the loop's kinds offer as well (so the loop is walked)."""
    data = a.model_dump(mode="json")
    for kind in loop:
        for need in SERVICE_KINDS[kind].needs:
            data["needs"].setdefault(need, 4)
    return parse_assessment(data)


def _catalog(services: list[Service]) -> Catalog:
    org = Organization(id="org-loop", name="Loop Test Org (fictional)", sample=True)
    return Catalog([org], services, sample=True)


@PROPS
@given(a=assessments(), world=loop_worlds(), order_seed=st.integers(0, 2**32 - 1))
def test_a_loop_of_kinds_among_many_services_is_walked_within_the_limits(a, world, order_seed):
    loop, services = world
    a = _needing(a, loop)
    shuffled = list(services)
    random.Random(order_seed).shuffle(shuffled)
    cat, other = _catalog(services), _catalog(shuffled)
    with _recursion_limit(_LOW_LIMIT):
        ol = propose(a, cat, RULES, all_needs=True, created_at="t")
        again = propose(a, other, RULES, all_needs=True, created_at="t")
    assert ol.model_dump_json() == again.model_dump_json()

    refused = set(a.situation.no_contact_with)
    for need in ol.needs:
        for o in need.options:
            assert not brings(cat.service(o.service_id)) & refused, (o.option_id, "option")
            for step in o.steps:
                assert not KIND_MEETS.get(step.kind, set()) & refused, (o.option_id, step.kind)
                if step.service_id is not None:
                    assert step.service_id != o.service_id, (o.option_id, "its own step")
                    assert not brings(cat.service(step.service_id)) & refused, (o.option_id, step.service_id)


def test_the_loop_property_walks_loops_with_steps():
    """Guard against a vacuous property: a client needing what a loop's kinds offer gets
    options whose steps are the loop's kinds with a provider named, walked under the low
    limit (where the walk used to recurse once per service of the loop in reach)."""
    loop = ["documents.identity", "documents.police_report"]
    a = _needing(
        parse_assessment(
            {
                "client_ref": "c-loop",
                "needs": {"protection": 4},
                "situation": {"location": {"country": "TH", "area": "Bangkok"}, "documents": "lost"},
            }
        ),
        loop,
    )
    with _recursion_limit(_LOW_LIMIT):
        ol = propose(a, _catalog(_loop_services(loop, 250, seed=1)), RULES, all_needs=True, created_at="t")
    steps = [s.kind for n in ol.needs for o in n.options for s in o.steps if s.service_id is not None]
    assert set(loop) <= set(steps)
