"""Redocly's recommended rules over the OpenAPI document (`redocly lint`, as an
integrator's CI would run it): 0 errors and 0 warnings. Runs the pinned CLI through npx;
skipped only where node is not installed."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

REDOCLY = "@redocly/cli@2.77.0"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the document is the same on both
def test_redocly_recommended_rules_find_nothing(world, tmp_path):
    npx = shutil.which("npx")
    if npx is None or shutil.which("node") is None:
        pytest.skip("node is not installed: Redocly's linter (npx @redocly/cli) cannot run here")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(world.client.get("/openapi.json").json()))
    done = subprocess.run(
        [npx, "--yes", REDOCLY, "lint", str(document), "--format=json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    start = done.stdout.find("{")
    assert start >= 0, f"redocly printed no report (exit {done.returncode}):\n{done.stderr[-2000:]}"
    report = json.loads(done.stdout[start:])
    problems = [f"{p['severity']} {p['ruleId']}: {p['message']}" for p in report["problems"]]
    assert report["totals"]["errors"] == 0 and report["totals"]["warnings"] == 0, "\n".join(problems)
