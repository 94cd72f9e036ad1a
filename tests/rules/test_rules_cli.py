"""``freechoice rules check`` and ``freechoice rules test`` as a pack author runs them.

Successful runs and case failures go through typer's CliRunner on the real app; the
error paths (exit 2, problems on stderr) run the real console entry point in a
subprocess, because that is where freechoice errors become exit codes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from freechoice.api.cli import build_app
from freechoice.engine import load_rules
from freechoice.engine.cases import load_cases
from freechoice.rules import core_pack, default_pack

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "rules" / "cases"
CLI = [sys.executable, "-m", "freechoice.api.cli"]


def cli(*args: str):
    return CliRunner().invoke(build_app(), list(args), catch_exceptions=False)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=REPO)


def _case(name: str, **over) -> dict:
    case = {
        "name": name,
        "covers": ["free-of-charge"],
        "assessment": {"needs": {"basic_medical": 4}},
        "services": [{"id": "svc-free", "name": "Free clinic", "kinds": ["health.primary_care"]}],
        "expect": {
            "options": {"basic_medical": ["svc-free"]},
            "reasons": [{"service": "svc-free", "rule": "free-of-charge"}],
        },
    }
    case.update(over)
    return case


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# ---------------------------------------------------------------- rules check
def test_check_lists_every_rule_of_the_default_pack_with_the_version():
    result = cli("rules", "check", str(REPO / "rules" / "default.yaml"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    version = load_rules().version
    assert lines[0].endswith(f"default.yaml: valid; 51 rules with the core pack; version {version}")
    rule_lines = lines[1 : next(i for i, line in enumerate(lines) if line.startswith("texts written in"))]
    listed = [re.split(r"\s+", line.strip())[:3] for line in rule_lines]
    expected = [[pack.pack, r.id, r.then.kind] for pack in (core_pack(), default_pack()) for r in pack.rules]
    assert listed == expected


def test_check_of_the_core_pack_alone():
    result = cli("rules", "check", str(REPO / "rules" / "core.yaml"))
    assert result.exit_code == 0, result.output
    assert "core.yaml: valid; 7 rules with the core pack" in result.stdout


def test_check_of_a_broken_pack_exits_2_with_every_problem_on_stderr(tmp_path: Path):
    broken = _write(
        tmp_path / "broken.yaml",
        {
            "pack": "broken",
            "rules": [
                {
                    "id": "two-effects",
                    "description": "x",
                    "when": {"service": {"remote": True}},
                    "then": {"caution": "a", "exclude": "b"},
                },
                {
                    "id": "bad-field",
                    "description": "x",
                    "when": {"client": {"shoe_size": 42}, "service": {"remote": True}},
                    "then": {"caution": "x"},
                },
            ],
        },
    )
    done = run("rules", "check", str(broken))
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"error: invalid {broken}:" in done.stderr
    assert "  - rules[two-effects].then: Value error, exactly one effect is needed" in done.stderr
    assert "  - rules[bad-field].when: Value error, client: unknown field 'shoe_size'" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_of_a_pack_that_does_not_compile_exits_2(tmp_path: Path):
    pack = _write(
        tmp_path / "p.yaml",
        {
            "pack": "p",
            "rules": [
                {
                    "id": "odd-text",
                    "description": "x",
                    "when": {"service": {"remote": True}},
                    "then": {"caution": "Call {phone}"},
                },
            ],
        },
    )
    done = run("rules", "check", str(pack))
    assert done.returncode == 2
    assert (
        "error: rule 'odd-text': placeholder(s) ['{phone}'] must start with client., service. or match." in done.stderr
    )


def test_check_of_a_missing_file_is_a_usage_error():
    result = cli("rules", "check", "no-such-pack.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.output


# ---------------------------------------------------------------- rules test
def test_the_bundled_cases_all_pass_and_cover_every_rule():
    result = cli("rules", "test", str(CASES))
    assert result.exit_code == 0, result.stdout
    cases = load_cases(CASES)
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(cases)} passed, 0 failed"
    assert [line for line in lines if line.startswith("ok  ")] == [
        f"ok   {c.name}  ({Path(c.source).name})" for c in cases
    ]
    assert "rules without a case" not in result.stdout


def test_a_failing_case_exits_1_naming_the_case_and_what_differed(tmp_path: Path):
    cases = _write(
        tmp_path / "cases.yaml",
        {
            "cases": [
                _case("free clinic is an option"),
                _case("expects a clinic that is not there", expect={"options": {"basic_medical": ["svc-gone"]}}),
            ]
        },
    )
    result = cli("rules", "test", str(cases), "--no-require-coverage")
    assert result.exit_code == 1
    out = result.stdout
    assert "ok   free clinic is an option  (cases.yaml)" in out
    assert "FAIL expects a clinic that is not there  (cases.yaml)" in out
    assert "options for basic_medical: expected ['svc-gone'], got ['svc-free']" in out
    assert "1 passed, 1 failed" in out.splitlines()


def test_rules_without_a_case_are_reported_and_fail_unless_told_otherwise(tmp_path: Path):
    pack = {
        "pack": "clinics",
        "rules": [
            {
                "id": "night-clinic",
                "description": "Night clinics are flagged.",
                "when": {"service": {"remote": True}},
                "then": {"caution": "Remote."},
            },
            {
                "id": "free-clinic",
                "description": "Free clinics first.",
                "when": {"service": {"free": True}},
                "then": {"boost": 1.0, "reason": "Free"},
            },
        ],
    }
    pack_path = _write(tmp_path / "clinics.yaml", pack)
    cases = _write(
        tmp_path / "cases.yaml",
        {
            "cases": [
                _case(
                    "free clinic boosted",
                    covers=["free-clinic", *[r.id for r in core_pack().rules]],
                    expect={"reasons": [{"service": "svc-free", "rule": "free-clinic"}]},
                ),
            ]
        },
    )
    result = cli("rules", "test", str(cases), "--rules", str(pack_path))
    assert result.exit_code == 1
    assert "1 passed, 0 failed" in result.stdout
    assert "rules without a case: night-clinic" in result.stdout
    relaxed = cli("rules", "test", str(cases), "--rules", str(pack_path), "--no-require-coverage")
    assert relaxed.exit_code == 0
    assert "rules without a case: night-clinic" in relaxed.stdout


def test_a_bad_case_file_exits_2_with_its_problems(tmp_path: Path):
    cases = _write(tmp_path / "cases.yaml", {"cases": [_case("typo", expect={"optionz": {}})]})
    done = run("rules", "test", str(cases))
    assert done.returncode == 2
    assert f"error: invalid {cases}:" in done.stderr
    assert "cases[0].expect.optionz: unknown expectation" in done.stderr
