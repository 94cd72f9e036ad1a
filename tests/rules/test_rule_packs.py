"""Rule packs: schema errors a pack author can act on, versions, coverage by YAML cases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from freechoice.catalog import RuleError, ValidationFailed
from freechoice.engine import compile_rules, load_rules
from freechoice.engine.cases import load_cases, run_case
from freechoice.rules import core_pack, default_pack, pack_version, parse_pack

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "rules" / "cases"
CLI = [sys.executable, "-m", "freechoice.api.cli"]


def test_every_rule_of_the_core_and_default_packs_has_a_case():
    covered = {r for c in load_cases(CASES) for r in c.covers}
    missing = [r.id for p in (core_pack(), default_pack()) for r in p.rules if r.id not in covered]
    assert not missing, f"rules without a YAML case: {missing}"


def _problems(pack: dict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as err:
        parse_pack(pack)
    return {p.field: p.message for p in err.value.problems}


def test_schema_errors_name_the_rule_the_field_and_what_is_allowed():
    pack = {
        "pack": "bad",
        "rules": [
            {"id": "unknown-field", "description": "x", "when": {"client": {"shoe_size": 42}}, "then": {"caution": "x"}},
            {"id": "two-effects", "description": "x", "when": {"service": {"remote": True}}, "then": {"caution": "a", "exclude": "b"}},
            {"id": "bad-op", "description": "x", "when": {"client": {"fears": "police"}}, "then": {"caution": "x"}},
            {"id": "no-need", "description": "x", "then": {"suggest": "food.meals", "reason": "x"}},
            {"id": "bad-kind", "description": "x", "when": {"service": {"remote": True}}, "then": {"require": "docs.magic", "reason": "x"}},
        ],
    }
    problems = _problems(pack)
    text = "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert "rules[unknown-field].when" in text and "shoe_size" in text and "documents" in text
    assert "rules[two-effects].then" in text and "exactly one effect" in text
    assert "rules[bad-op].when" in text and "any_of" in text
    assert "rules[no-need].then" in text and "employment" in text
    assert "rules[bad-kind].then" in text and "documents.identity" in text


def test_duplicate_ids_and_effects_without_a_scope_are_rejected():
    rule = {"id": "same", "description": "x", "when": {"service": {"remote": True}}, "then": {"caution": "x"}}
    assert "duplicate" in " ".join(_problems({"pack": "dup", "rules": [rule, rule]}).values())
    unscoped = {"id": "everything", "description": "x", "then": {"exclude": "no"}}
    assert "hit every service" in " ".join(_problems({"pack": "p", "rules": [unscoped]}).values())


def test_placeholders_must_name_client_service_or_match():
    pack = parse_pack(
        {"pack": "p", "rules": [{"id": "rr", "description": "x", "when": {"service": {"remote": True}}, "then": {"caution": "{name}"}}]}
    )
    with pytest.raises(RuleError, match="placeholder"):
        compile_rules(pack)


def test_the_version_is_a_content_hash():
    d = default_pack()
    assert pack_version(d) == pack_version(default_pack())
    changed = d.model_copy(update={"rules": d.rules[:-1]})
    assert pack_version(changed) != pack_version(d)
    assert load_rules().version == pack_version(core_pack(), d)


def test_a_custom_pack_cannot_switch_off_the_core_hard_limits():
    empty = parse_pack({"pack": "empty", "rules": []})
    compiled = compile_rules(empty)
    assert {r.id for r in compiled.rules} == {r.id for r in core_pack().rules}


def test_the_case_runner_reports_what_did_not_hold(tmp_path: Path):
    case_file = tmp_path / "cases.yaml"
    case_file.write_text(
        yaml.safe_dump(
            {
                "cases": [
                    {
                        "name": "wrong on purpose",
                        "covers": ["language-fit"],
                        "assessment": {"needs": {"food": 4}},
                        "services": [{"id": "svc-a", "name": "A", "kinds": ["food.meals"], "languages": ["th"]}],
                        "expect": {"options": {"food": ["svc-a"]}, "excluded": [{"service": "svc-b"}]},
                    }
                ]
            }
        )
    )
    (case,) = load_cases(case_file)
    _, fails = run_case(case, load_rules())
    assert any("options for food" in f and "got []" in f for f in fails)
    assert any("svc-b should be excluded" in f for f in fails)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"cases": [{"name": "x", "expect": {"optionz": {}}}]}))
    with pytest.raises(ValidationFailed, match="unknown expectation"):
        load_cases(bad)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_rules_check_and_test_commands():
    done = run("rules", "check", "rules/default.yaml")
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout and "direct-hire-first" in done.stdout and "rules-" in done.stdout
    done = run("rules", "test", "rules/cases")
    assert done.returncode == 0, done.stdout
    assert " passed, 0 failed" in done.stdout


def test_rules_commands_fail_clearly(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("pack: broken\nrules:\n  - id: r\n    description: x\n    then: {caution: x, exclude: y}\n")
    done = run("rules", "check", str(broken))
    assert done.returncode == 2 and "rules[r].then" in done.stderr
    one_case = tmp_path / "one.yaml"
    one_case.write_text(
        yaml.safe_dump({"cases": [{"name": "expects the impossible", "covers": ["free-of-charge"],
                                   "assessment": {"needs": {"food": 4}}, "expect": {"options": {"food": ["svc-x"]}}}]})
    )
    done = run("rules", "test", str(one_case))
    assert done.returncode == 1
    assert "FAIL expects the impossible" in done.stdout
    assert "rules without a case:" in done.stdout
