"""Same input, same option list, in every worker process.

String hashing (and so the order in which Python walks a set of service ids) changes
with ``PYTHONHASHSEED`` from one process to the next. Before the fix, a step's provider
was decided by whichever walk asked for it first, and that order came from set order:
on the generated catalog of 8,000 services (seed 1) the demo cohort's clients
``demo-030`` and ``demo-058`` got a different list under hash seeds 0 and 1 than under
2 and 12345 (a step naming another provider, or "no service you can use was found
nearby"). Each process here proposes those clients (and three whose steps changed with
the fix) on that catalog, first alone and then after the whole cohort, and the whole
cohort on a modest catalog; every list's JSON must be the same in every process, and a
list must not depend on which lists the process made before it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_SEEDS = ("0", "1", "2", "12345")

# clients whose lists differed between processes (or whose steps the fix changed) on main
_REGRESSION = ("demo-007", "demo-030", "demo-058", "demo-059", "demo-101")

_SCRIPT = """
import hashlib, json, sys
from freechoice.catalog.generate import generate_catalog
from freechoice.engine import load_rules
from freechoice.engine.cohort import synthetic_cohort
from freechoice.engine.propose import propose

rules = load_rules()
cohort = synthetic_cohort()
wanted = set(sys.argv[1:])
out = {"alone": {}, "after_cohort": {}, "modest": {}}

big = generate_catalog(8000, seed=1)
for a in cohort:
    if a.client_ref in wanted:
        out["alone"][a.client_ref] = propose(a, big, rules, created_at="t").model_dump_json()
for a in cohort:
    ol = propose(a, big, rules, created_at="t")
    if a.client_ref in wanted:
        out["after_cohort"][a.client_ref] = ol.model_dump_json()

modest = generate_catalog(1500, seed=3)
for a in cohort:
    out["modest"][a.client_ref] = propose(a, modest, rules, created_at="t").model_dump_json()
json.dump(out, sys.stdout)
"""


def _lists(seeds: tuple[str, ...]) -> dict[str, dict[str, dict[str, str]]]:
    """Each seed's lists, from processes started side by side."""
    procs = {
        seed: subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, *_REGRESSION],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONHASHSEED=seed),
        )
        for seed in seeds
    }
    out = {}
    for seed, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        out[seed] = json.loads(stdout)
    return out


def _steps(list_json: str) -> list[tuple[str, str, str | None]]:
    ol = json.loads(list_json)
    return [(o["option_id"], s["kind"], s["service_id"]) for n in ol["needs"] for o in n["options"] for s in o["steps"]]


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, dict[str, str]]]:
    return _lists(_SEEDS)


def test_every_list_is_the_same_under_every_hash_seed(runs: dict[str, dict[str, dict[str, str]]]) -> None:
    first = runs[_SEEDS[0]]
    assert sorted(first["alone"]) == sorted(_REGRESSION)
    assert len(first["modest"]) == 117
    for seed, run in runs.items():
        # a list does not depend on the lists the process made before it
        assert run["alone"] == run["after_cohort"], seed
        for part in ("alone", "modest"):
            for client, list_json in run[part].items():
                assert list_json == first[part][client], (seed, part, client)


def test_a_step_that_has_a_usable_provider_names_it(runs: dict[str, dict[str, dict[str, str]]]) -> None:
    """The fixed lists of the regression clients: the work-permit step before their
    options names a provider (before the fix, some processes said none was found)."""
    for client in ("demo-007", "demo-101"):
        steps = [s for s in _steps(runs["2"]["alone"][client]) if s[1] == "documents.work_permit"]
        assert steps, client
        assert all(service_id is not None for _, _, service_id in steps), client
