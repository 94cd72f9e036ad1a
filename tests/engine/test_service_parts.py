"""The option fields kept per service serial (``engine/propose.py``) are a bounded
least-recently-used cache: a cache far smaller than a list gives the lists an unbounded
one gives, holds no more than its bound, and keeps the entries in use rather than
emptying itself when full (with in-database retrieval each card read again has a fresh
serial, so stale entries must age out one by one)."""

from __future__ import annotations

import importlib

from assessment_strategies import assessments, catalogs
from cachetools import LRUCache
from hypothesis import HealthCheck, given, settings

from freechoice.engine import load_rules, propose

propose_module = importlib.import_module("freechoice.engine.propose")

RULES = load_rules()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=assessments(), cat=catalogs(max_size=60))
def test_a_small_service_parts_cache_gives_the_same_lists_and_stays_bounded(monkeypatch, a, cat) -> None:
    monkeypatch.setattr(propose_module, "_SERVICE_PARTS", LRUCache(maxsize=100_000))
    want = propose(a, cat, RULES, all_needs=True).model_dump(mode="json")
    small: LRUCache[int, object] = LRUCache(maxsize=3)
    monkeypatch.setattr(propose_module, "_SERVICE_PARTS", small)
    for _ in range(2):
        assert propose(a, cat, RULES, all_needs=True).model_dump(mode="json") == want
        assert len(small) <= 3
    if sum(len(n["options"]) for n in want["needs"]) > 3:
        assert len(small) == 3  # full, not emptied: the latest stay
