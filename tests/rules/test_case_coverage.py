"""Every rule of the core and default packs has YAML cases, and those cases really
depend on the rule they say they cover."""

from __future__ import annotations

from pathlib import Path

import pytest

from freechoice.engine import compile_rules
from freechoice.engine.cases import RuleCase, load_cases, run_case
from freechoice.rules import Rule, RulePack, core_pack, default_pack

CASES_DIR = Path(__file__).resolve().parents[2] / "rules" / "cases"
CASES = load_cases(CASES_DIR)
PACKS = (core_pack(), default_pack())
RULES = [r for p in PACKS for r in p.rules]

# The client condition of this rule is belt and braces: with valid documents the
# documents steps are already satisfied, so dropping the condition changes nothing visible.
_CLIENT_CONDITION_REDUNDANT = {"documents-first-for-legal-work"}


def _covering(rule_id: str) -> list[RuleCase]:
    return [c for c in CASES if rule_id in c.covers]


def _failures(case: RuleCase, packs: list[RulePack]) -> list[str]:
    _, fails = run_case(case, compile_rules(*packs))
    return [f for f in fails if not f.startswith("covers unknown rule")]


def _replace(rule: Rule, new: Rule | None) -> list[RulePack]:
    out = []
    for pack in PACKS:
        rules = [(new if r.id == rule.id else r) for r in pack.rules]
        out.append(pack.model_copy(update={"rules": [r for r in rules if r is not None]}))
    return out


def test_every_rule_of_the_core_and_default_packs_has_a_case():
    covered = {r for c in CASES for r in c.covers}
    missing = [r.id for r in RULES if r.id not in covered]
    assert not missing, f"rules without a YAML case in rules/cases: {missing}"


def test_cases_cover_only_rules_that_exist():
    known = {r.id for r in RULES}
    wrong = {c.name: sorted(set(c.covers) - known) for c in CASES if set(c.covers) - known}
    assert not wrong


def test_case_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_some_case_fails_when_its_rule_is_removed(rule: Rule):
    """A case that lists a rule in ``covers`` must notice that rule going missing."""
    without = _replace(rule, None)
    failing = [c.name for c in _covering(rule.id) if _failures(c, without)]
    assert failing, f"no case covering {rule.id} fails without it"


@pytest.mark.parametrize("rule", [r for r in RULES if r.when.client], ids=lambda r: r.id)
def test_some_case_fails_when_its_client_condition_is_dropped(rule: Rule):
    """The cases also show the rule *not* firing for clients its condition leaves out."""
    loose = rule.model_copy(update={"when": rule.when.model_copy(update={"client": {}})})
    failing = [c.name for c in _covering(rule.id) if _failures(c, _replace(rule, loose))]
    if rule.id in _CLIENT_CONDITION_REDUNDANT:
        assert not failing
    else:
        assert failing, f"no case covering {rule.id} shows it not firing for another client"


def test_the_readme_lists_every_rule_as_the_packs_describe_it():
    readme = (CASES_DIR.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Rules\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    expected = [
        f"| `{r.id}` | {p.pack} | {r.then.kind} | {' '.join(r.description.split())} |" for p in PACKS for r in p.rules
    ]
    assert table == expected
