"""The YAML case runner: each expectation passes when it holds and says what differs
when it does not (a case that cannot fail would prove nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from freechoice.catalog import ValidationFailed
from freechoice.engine import load_rules
from freechoice.engine.cases import load_cases, run_case

RULES = load_rules()

# One client with lost documents who refused police contact; three services for food.
_BASE: dict[str, Any] = {
    "name": "runner fixture",
    "covers": ["no-contact-hard-limit"],
    "assessment": {
        "needs": {"food": 4, "housing": 4},
        "situation": {"documents": "lost", "no_contact_with": ["police"]},
    },
    "services": [
        {"id": "svc-a", "name": "A kitchen", "kinds": ["food.meals"], "capacity": {"status": "waitlist"}},
        {"id": "svc-b", "name": "B kitchen", "kinds": ["food.meals"]},
        {"id": "svc-p", "name": "Police canteen", "kinds": ["food.meals"], "contact_with": ["police"]},
        {"id": "svc-h", "name": "Full house", "kinds": ["housing.shelter"], "capacity": {"status": "full"}},
        {"id": "svc-docs", "name": "Replacement papers", "kinds": ["food.meals"], "requires": ["documents.identity"]},
    ],
}


def _run(tmp_path: Path, expect: dict[str, Any]) -> list[str]:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"cases": [dict(_BASE, expect=expect)]}))
    (case,) = load_cases(path)
    _, fails = run_case(case, RULES)
    return fails


# (expectation that holds, expectation that does not, words of the failure)
EXPECTATIONS = [
    (
        {"options": {"food": ["svc-b", "svc-docs", "svc-a"]}},
        {"options": {"food": ["svc-a", "svc-b", "svc-docs"]}},
        "options for food: expected ['svc-a', 'svc-b', 'svc-docs'], got ['svc-b', 'svc-docs', 'svc-a']",
    ),
    ({"includes": {"food": ["svc-a"]}}, {"includes": {"food": ["svc-p"]}}, "should include ['svc-p']"),
    ({"absent": {"food": ["svc-p"]}}, {"absent": {"food": ["svc-a"]}}, "should not include ['svc-a']"),
    (
        {"excluded": [{"service": "svc-p", "rule": "no-contact-hard-limit", "text": "police"}]},
        {"excluded": [{"service": "svc-p", "rule": "no-contact-hard-limit", "text": "immigration"}]},
        "exclusion of svc-p should say 'immigration'",
    ),
    (
        {"excluded": [{"service": "svc-p"}]},
        {"excluded": [{"service": "svc-b", "rule": "capacity-full"}]},
        "svc-b should be excluded by capacity-full; excluded by nothing",
    ),
    (
        {"not_excluded": ["svc-a"]},
        {"not_excluded": ["svc-p"]},
        "svc-p should not be excluded; excluded by ['no-contact-hard-limit']",
    ),
    (
        {"cautions": [{"service": "svc-a", "rule": "waitlist-flagged", "text": "waiting list"}]},
        {"cautions": [{"service": "svc-b", "rule": "waitlist-flagged"}]},
        "svc-b should carry caution waitlist-flagged",
    ),
    (
        {"no_cautions": [{"service": "svc-b", "rule": "waitlist-flagged"}]},
        {"no_cautions": [{"service": "svc-a", "rule": "waitlist-flagged"}]},
        "svc-a should not carry caution waitlist-flagged",
    ),
    (
        {"reasons": [{"service": "svc-a", "rule": "waitlist-later"}]},
        {"reasons": [{"service": "svc-b", "rule": "waitlist-later"}]},
        "svc-b should carry reason waitlist-later",
    ),
    (
        {"no_reasons": [{"service": "svc-b", "rule": "waitlist-later"}]},
        {"no_reasons": [{"service": "svc-a", "rule": "waitlist-later"}]},
        "svc-a should not carry reason waitlist-later",
    ),
    (
        {"steps": [{"service": "svc-docs", "kinds": ["documents.identity"], "providers": [None]}]},
        {"steps": [{"service": "svc-docs", "kinds": []}]},
        "steps of svc-docs: expected [], got ['documents.identity']",
    ),
    (
        {"steps": [{"service": "svc-docs", "kinds": ["documents.identity"]}]},
        {"steps": [{"service": "svc-docs", "kinds": ["documents.identity"], "providers": ["svc-p"]}]},
        "step providers of svc-docs: expected ['svc-p'], got [None]",
    ),
    ({"unmet": ["housing"]}, {"unmet": ["food"]}, "food should be unmet"),
    (
        {"near_misses": {"housing": ["svc-h"]}},
        {"near_misses": {"food": ["svc-p"]}},
        "near misses for food should include ['svc-p']; got []",
    ),
    (
        {"cautions": [{"service": "svc-a", "rule": "waitlist-flagged"}]},
        {"cautions": [{"service": "svc-p", "rule": "waitlist-flagged"}]},
        "cautions: svc-p is not an option",
    ),
]


@pytest.mark.parametrize(
    ("holds", "fails", "says"), EXPECTATIONS, ids=lambda v: next(iter(v)) if isinstance(v, dict) else None
)
def test_each_expectation_passes_when_it_holds_and_explains_when_not(tmp_path: Path, holds, fails, says):
    assert _run(tmp_path, holds) == []
    failures = _run(tmp_path, fails)
    assert len(failures) == 1 and says in failures[0], failures


def test_a_case_that_covers_an_unknown_rule_fails(tmp_path: Path):
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"cases": [dict(_BASE, covers=["no-such-rule"], expect={})]}))
    (case,) = load_cases(path)
    assert run_case(case, RULES)[1] == ["covers unknown rule(s) ['no-such-rule']"]


def test_a_case_that_cannot_run_says_why(tmp_path: Path):
    path = tmp_path / "case.yaml"
    bad = dict(_BASE, assessment={"needs": {"snacks": 4}}, expect={})
    path.write_text(yaml.safe_dump({"cases": [bad]}))
    (case,) = load_cases(path)
    ol, fails = run_case(case, RULES)
    assert ol is None and len(fails) == 1 and fails[0].startswith("could not run:") and "snacks" in fails[0]


def test_bad_case_files_are_rejected_with_every_problem(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "cases": [
                    {"name": "typo in expect", "expect": {"optionz": {}}},
                    {"covers": ["language-fit"]},
                    {"name": "typo in case", "servcies": []},
                ]
            }
        )
    )
    with pytest.raises(ValidationFailed) as err:
        load_cases(path)
    text = str(err.value)
    assert "cases[0].expect.optionz: unknown expectation" in text and "near_misses" in text
    assert "cases[1]: each case needs a 'name'" in text
    assert "cases[2].servcies: unknown key" in text
    top = tmp_path / "top.yaml"
    top.write_text("- name: not a mapping\n")
    with pytest.raises(ValidationFailed, match="top-level 'cases' list"):
        load_cases(top)


def test_a_folder_loads_every_case_file_in_name_order(tmp_path: Path):
    for name in ("b.yaml", "a.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump({"cases": [dict(_BASE, name=f"case in {name}", expect={})]}))
    (tmp_path / "notes.txt").write_text("not a case file")
    assert [c.name for c in load_cases(tmp_path)] == ["case in a.yaml", "case in b.yaml"]
