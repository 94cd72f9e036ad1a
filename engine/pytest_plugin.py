"""pytest plugin: collect YAML rule cases as test items.

Installed with freechoice (entry point ``pytest11``). Inactive unless the ini option
``freechoice_rule_cases`` names one or more folders; then every ``*.yaml`` file under
them is collected, one test item per case, run against the pack named by
``freechoice_rule_pack`` (default: the bundled default pack). A failure lists every
expectation that did not hold. That every rule of a pack has a case is checked by the
project's own tests (``tests/rules/test_case_coverage.py``), not by this plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["pytest_addoption", "pytest_collect_file"]

_COMPILED: dict[str, Any] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("freechoice_rule_cases", "folders of YAML rule cases", type="paths", default=[])
    parser.addini("freechoice_rule_pack", "rule pack the cases run against (default: bundled)", default="")


def _rules(config: pytest.Config) -> Any:
    from freechoice.engine import load_rules

    pack = config.getini("freechoice_rule_pack") or None
    key = pack or "<default>"
    if key not in _COMPILED:
        _COMPILED[key] = load_rules(Path(config.rootpath, pack) if pack else None)
    return _COMPILED[key]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    roots = [Path(p).resolve() for p in parent.config.getini("freechoice_rule_cases")]
    if file_path.suffix != ".yaml" or not any(r in file_path.resolve().parents for r in roots):
        return None
    return RuleCaseFile.from_parent(parent, path=file_path)


class RuleCaseFailed(Exception):
    pass


class RuleCaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from freechoice.engine.cases import load_cases

        for case in load_cases(self.path):
            yield RuleCaseItem.from_parent(self, name=case.name, case=case)


class RuleCaseItem(pytest.Item):
    def __init__(self, *, case: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case

    def runtest(self) -> None:
        from freechoice.engine.cases import run_case

        _, fails = run_case(self.case, _rules(self.config))
        if fails:
            raise RuleCaseFailed(fails)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleCaseFailed):
            lines = "\n".join(f"  - {f}" for f in excinfo.value.args[0])
            return f"rule case '{self.case.name}' ({self.case.source}) failed:\n{lines}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.case.line, f"rule case: {self.case.name}"
