"""YAML rule cases: name, assessment, catalog fixture, expected options / exclusions /
cautions. Run by the pytest plugin (``tests/rule_cases.py``) and by
``freechoice rules test``.

A case file::

    cases:
      - name: direct-hire employer is boosted
        covers: [direct-hire-first]          # rules this case exercises
        assessment: {needs: {employment: 4}} # merged over a base client in Songkhla, TH
        services:                            # merged over a base service (org-case, Songkhla, my+th)
          - {id: svc-a, kinds: [job_placement.direct_employer], employment: {...}}
        expect:
          options: {employment: [svc-a, svc-b]}     # exact ids, in order
          includes: {employment: [svc-a]}
          absent: {employment: [svc-c]}
          excluded: [{service: svc-c, rule: avoided-sector}]
          not_excluded: [svc-a]
          cautions: [{service: svc-a, rule: recruitment-fees-flagged, text: "fees"}]
          no_cautions: [{service: svc-a, rule: recruitment-fees-flagged}]
          reasons: [{service: svc-a, rule: direct-hire-first}]
          no_reasons: [{service: svc-b, rule: direct-hire-first}]
          steps: [{service: svc-a, kinds: [documents.identity, documents.work_permit],
                   providers: [svc-id, null],    # optional: step service ids (null: none nearby)
                   cautions: [waitlist-flagged], # optional: rules of cautions the steps carry
                   when: after}]                 # optional: onward referrals instead of steps first
          unmet: [employment]
          near_misses: {employment: [svc-c]}        # shown under the unmet need
          ways_forward: {employment: [elsewhere:svc-d, cash, caseworker]}  # exact, in order
          status: {employment: no_job_yet}          # met / unmet / no_job_yet
          needs: [protection, employment]           # the needs listed, in order
          list_cautions: ["age not recorded"]       # cautions about the whole list
          no_list_cautions: [age-not-recorded]      # rule ids
          cash: {recipient: guardian, safeguarding: "child protection"}

A case may also set ``show_all: true`` (options shown on request are in) and
``children`` (a :class:`~freechoice.engine.children.ChildPolicy` as a mapping, e.g.
``{age_of_majority: {TH: 20}, cash_recipient: client}``). In ``excluded`` an entry may
say ``on_request: true|false``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from freechoice.catalog import Catalog, CatalogData, FreechoiceError, Problem, ValidationFailed

from .assessment import parse_assessment
from .children import ChildPolicy
from .compile import CompiledRules
from .options import OptionList
from .propose import propose

__all__ = ["BASE_ASSESSMENT", "BASE_SERVICE", "RuleCase", "load_cases", "run_case"]

BASE_ASSESSMENT: dict[str, Any] = {
    "client_ref": "case-client",
    "needs": {},
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "plan": "stay",
        "nationality": "MM",
        "languages": ["my"],
        "gender": "male",
        "age": 30,
        "documents": "valid",
    },
}
BASE_ORG = {"id": "org-case", "name": "Case Test Organisation (fictional)", "sample": True}
BASE_SERVICE: dict[str, Any] = {
    "organization_id": "org-case",
    "service_areas": [{"country": "TH", "area": "Songkhla"}],
    "languages": ["my", "th"],
}
_EXPECT_KEYS = {
    "options",
    "includes",
    "absent",
    "excluded",
    "not_excluded",
    "cautions",
    "no_cautions",
    "reasons",
    "no_reasons",
    "steps",
    "unmet",
    "near_misses",
    "ways_forward",
    "status",
    "needs",
    "list_cautions",
    "no_list_cautions",
    "cash",
}
_CASE_KEYS = [
    "name",
    "covers",
    "assessment",
    "services",
    "organizations",
    "catalog",
    "expect",
    "all_needs",
    "show_all",
    "children",
]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "needs":
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass
class RuleCase:
    name: str
    source: str
    covers: list[str]
    assessment: dict[str, Any]
    catalog: dict[str, Any]
    expect: dict[str, Any]
    all_needs: bool = False
    show_all: bool = False
    children: dict[str, Any] | None = None
    line: int = 0
    problems: list[str] = field(default_factory=list)


def load_cases(path: str | Path) -> list[RuleCase]:
    """Read a case file (or every ``*.yaml`` in a folder)."""
    p = Path(path)
    if p.is_dir():
        return [c for f in sorted(p.glob("*.yaml")) for c in load_cases(f)]
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ValidationFailed([Problem("(file)", f"not valid YAML: {err}")], what=str(p)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
        raise ValidationFailed([Problem("cases", "a case file needs a top-level 'cases' list")], what=str(p))
    cases = []
    problems = []
    for i, c in enumerate(raw["cases"]):
        where = f"cases[{i}]"
        if not isinstance(c, dict) or not c.get("name"):
            problems.append(Problem(where, "each case needs a 'name'"))
            continue
        unknown = set(c) - set(_CASE_KEYS)
        if unknown:
            problems.append(Problem(f"{where}.{sorted(unknown)[0]}", "unknown key", _CASE_KEYS))
        bad_expect = set(c.get("expect", {})) - _EXPECT_KEYS
        if bad_expect:
            problems.append(
                Problem(f"{where}.expect.{sorted(bad_expect)[0]}", "unknown expectation", sorted(_EXPECT_KEYS))
            )
        if "catalog" in c:
            catalog = c["catalog"]
        else:
            orgs = c.get("organizations", [BASE_ORG])
            services = [_merge(BASE_SERVICE, s) for s in c.get("services", [])]
            catalog = {"catalog": "rule case fixture", "sample": True, "organizations": orgs, "services": services}
        cases.append(
            RuleCase(
                name=str(c["name"]),
                source=str(p),
                covers=list(c.get("covers", [])),
                assessment=_merge(BASE_ASSESSMENT, c.get("assessment", {})),
                catalog=catalog,
                expect=c.get("expect", {}),
                all_needs=bool(c.get("all_needs", False)),
                show_all=bool(c.get("show_all", False)),
                children=c.get("children"),
                line=i,
            )
        )
    if problems:
        raise ValidationFailed(problems, what=str(p))
    return cases


def _opt_ids(ol: OptionList, need: str) -> list[str]:
    entry = next((n for n in ol.needs if n.need == need), None)
    return [] if entry is None else [o.service_id for o in entry.options]


def _options_of(ol: OptionList, service_id: str) -> list[Any]:
    return [o for n in ol.needs for o in n.options if o.service_id == service_id]


def run_case(case: RuleCase, rules: CompiledRules) -> tuple[OptionList | None, list[str]]:
    """Run one case; return the option list and a list of failures (empty when it passes)."""
    fails: list[str] = []
    try:
        a = parse_assessment(case.assessment)
        cat = Catalog.from_data(CatalogData.model_validate(case.catalog))
        policy = ChildPolicy(**case.children) if case.children else None
        ol = propose(a, cat, rules, all_needs=case.all_needs, show_all=case.show_all, children=policy)
    except (FreechoiceError, ValueError) as err:
        return None, [f"could not run: {err}"]
    unknown = [r for r in case.covers if r not in rules.by_id]
    if unknown:
        fails.append(f"covers unknown rule(s) {unknown}")
    e = case.expect
    for need, ids in (e.get("options") or {}).items():
        got = _opt_ids(ol, need)
        if got != list(ids):
            fails.append(f"options for {need}: expected {list(ids)}, got {got}")
    for need, ids in (e.get("includes") or {}).items():
        got = _opt_ids(ol, need)
        missing = [i for i in ids if i not in got]
        if missing:
            fails.append(f"options for {need} should include {missing}; got {got}")
    for need, ids in (e.get("absent") or {}).items():
        got = _opt_ids(ol, need)
        unwanted = [i for i in ids if i in got]
        if unwanted:
            fails.append(f"options for {need} should not include {unwanted}")
    excl = {(x.service_id, x.rule): x for x in ol.excluded}
    for want in e.get("excluded") or []:
        hit = [x for (sid, rule), x in excl.items() if sid == want["service"] and rule == want.get("rule", rule)]
        if not hit:
            got = sorted({r for (s, r) in excl if s == want["service"]})
            fails.append(
                f"{want['service']} should be excluded by {want.get('rule', 'a rule')}; excluded by {got or 'nothing'}"
            )
        elif want.get("text") and not any(want["text"].lower() in x.text.lower() for x in hit):
            fails.append(f"exclusion of {want['service']} should say '{want['text']}'; says {[x.text for x in hit]}")
        elif "on_request" in want and not any(x.on_request is bool(want["on_request"]) for x in hit):
            fails.append(f"exclusion of {want['service']} should have on_request {want['on_request']}")
    for sid in e.get("not_excluded") or []:
        got = sorted({r for (s, r) in excl if s == sid})
        if got:
            fails.append(f"{sid} should not be excluded; excluded by {got}")
    for key, attr, present in (
        ("cautions", "cautions", True),
        ("no_cautions", "cautions", False),
        ("reasons", "reasons", True),
        ("no_reasons", "reasons", False),
    ):
        for want in e.get(key) or []:
            opts = _options_of(ol, want["service"])
            if not opts:
                fails.append(f"{key}: {want['service']} is not an option")
                continue
            items = [c for o in opts for c in getattr(o, attr) if c.rule == want["rule"]]
            if present and not items:
                fails.append(
                    f"{want['service']} should carry {attr[:-1]} {want['rule']}; has {sorted({c.rule for o in opts for c in getattr(o, attr)})}"
                )
            if (
                present
                and items
                and want.get("text")
                and not any(want["text"].lower() in c.text.lower() for c in items)
            ):
                fails.append(
                    f"{attr[:-1]} {want['rule']} on {want['service']} should say '{want['text']}'; says {[c.text for c in items]}"
                )
            if not present and items:
                fails.append(f"{want['service']} should not carry {attr[:-1]} {want['rule']}")
    for want in e.get("steps") or []:
        opts = _options_of(ol, want["service"])
        if not opts:
            fails.append(f"steps: {want['service']} is not an option")
            continue
        chosen = [s for s in opts[0].steps if s.when == want.get("when", "before")]
        got = [s.kind for s in chosen]
        if got != list(want["kinds"]):
            fails.append(f"steps of {want['service']}: expected {want['kinds']}, got {got}")
        if "providers" in want and [s.service_id for s in chosen] != list(want["providers"]):
            fails.append(
                f"step providers of {want['service']}: expected {want['providers']}, got {[s.service_id for s in chosen]}"
            )
        if "cautions" in want:
            got_rules = sorted({c.rule for s in chosen for c in s.cautions})
            lacking = [r for r in want["cautions"] if r not in got_rules]
            if lacking:
                fails.append(f"steps of {want['service']} should carry caution(s) {lacking}; carry {got_rules}")
    for need in e.get("unmet") or []:
        entry = next((n for n in ol.needs if n.need == need), None)
        if entry is None or entry.unmet is None:
            fails.append(f"{need} should be unmet")
    for need, ids in (e.get("near_misses") or {}).items():
        entry = next((n for n in ol.needs if n.need == need), None)
        got = [m.service_id for m in entry.unmet.near_misses] if entry is not None and entry.unmet is not None else []
        missing = [i for i in ids if i not in got]
        if missing:
            fails.append(f"near misses for {need} should include {missing}; got {got}")
    for need, ways in (e.get("ways_forward") or {}).items():
        entry = next((n for n in ol.needs if n.need == need), None)
        got = (
            [f"{w.kind}:{w.service_id}" if w.service_id else w.kind for w in entry.unmet.ways_forward]
            if entry is not None and entry.unmet is not None
            else []
        )
        if got != list(ways):
            fails.append(f"ways forward for {need}: expected {list(ways)}, got {got}")
    for need, status in (e.get("status") or {}).items():
        entry = next((n for n in ol.needs if n.need == need), None)
        got_status = entry.status if entry is not None else "not listed"
        if got_status != status:
            fails.append(f"status of {need}: expected {status}, got {got_status}")
    if "needs" in e and [n.need for n in ol.needs] != list(e["needs"]):
        fails.append(f"needs listed: expected {list(e['needs'])}, got {[n.need for n in ol.needs]}")
    for text in e.get("list_cautions") or []:
        if not any(text.lower() in c.text.lower() for c in ol.cautions):
            fails.append(f"the list should carry a caution saying '{text}'; has {[c.text for c in ol.cautions]}")
    for rule in e.get("no_list_cautions") or []:
        if any(c.rule == rule for c in ol.cautions):
            fails.append(f"the list should not carry caution {rule}")
    for key, want in (e.get("cash") or {}).items():
        value = getattr(ol.cash, key, None)
        if isinstance(want, str) and isinstance(value, str) and key != "recipient":
            if want.lower() not in value.lower():
                fails.append(f"cash {key} should say '{want}'; says {value!r}")
        elif value != want:
            fails.append(f"cash {key}: expected {want!r}, got {value!r}")
    return ol, fails
