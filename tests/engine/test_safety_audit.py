"""bench/safety_audit.py: its breach counts stay 0 on a small cohort plus the hard cases,
and it does see a breach when a list does not fit the client it is checked against."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from freechoice.catalog import load_sample_catalog
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.cohort import synthetic_cohort

_PATH = Path(__file__).resolve().parents[2] / "bench" / "safety_audit.py"
_spec = importlib.util.spec_from_file_location("safety_audit", _PATH)
assert _spec is not None and _spec.loader is not None
safety_audit = importlib.util.module_from_spec(_spec)
sys.modules["safety_audit"] = safety_audit
_spec.loader.exec_module(safety_audit)

CATALOG = load_sample_catalog()
RULES = load_rules()


def test_the_audit_finds_no_breach_on_a_small_cohort_and_the_hard_cases():
    cohort = synthetic_cohort(30, seed=7) + [parse_assessment(d) for d in safety_audit.hard_case_dicts()]
    result = safety_audit.audit(cohort, CATALOG, RULES)
    assert result.lists == 2 * len(cohort)
    assert result.minors >= 2
    assert result.breaches() == dict.fromkeys(result.breaches(), 0), result
    assert result.median_rank4_options() > 0


def test_the_audit_sees_a_list_that_brings_refused_contact():
    a = parse_assessment(
        {
            "client_ref": "audit-1",
            "needs": {"legal_proceedings": 4, "protection": 4},
            "situation": {
                "location": {"country": "TH", "area": "Samut Sakhon"},
                "age": 30,
                "languages": ["my"],
                "legal_interest": ["criminal_case"],
                "documents": "valid",
            },
        }
    )
    ol = propose(a, CATALOG, RULES, all_needs=True)
    refusing = a.model_copy(update={"situation": a.situation.model_copy(update={"no_contact_with": ["police"]})})
    out = safety_audit.Audit()
    safety_audit._check_list(out, refusing, ol, CATALOG)
    assert out.limit_breaches


def test_the_audit_sees_adult_only_services_offered_to_a_child():
    a = parse_assessment(
        {
            "client_ref": "audit-2",
            "needs": {"employment": 4, "housing": 4},
            "situation": {
                "location": {"country": "TH", "area": "Samut Sakhon"},
                "age": 30,
                "languages": ["my", "th"],
                "documents": "valid",
            },
        }
    )
    ol = propose(a, CATALOG, RULES, all_needs=True)
    child = a.model_copy(update={"situation": a.situation.model_copy(update={"age": 15})})
    out = safety_audit.Audit()
    safety_audit._check_list(out, child, ol, CATALOG)
    assert out.minor_adult_only
