"""Rule packs: errors a pack author can act on, content-hash versions, and what the
compiler makes of conditions (pinned against a plain-Python reading of the YAML)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from assessment_strategies import assessments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import (
    NEED_IDS,
    PARTIES,
    SECTORS,
    SERVICE_KIND_IDS,
    WORK_LIMITS,
    RuleError,
    Service,
    ValidationFailed,
)
from freechoice.catalog.models import Employment
from freechoice.engine import Assessment, compile_rules, load_rules
from freechoice.engine.durable import RuleHost
from freechoice.engine.facts import client_fact, compile_side, service_fact
from freechoice.rules import CLIENT_FIELDS, SERVICE_FIELDS, core_pack, default_pack, pack_version, parse_pack
from freechoice.rules.schema import When


def _rule(rid: str, **over: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rid,
        "description": "test rule",
        "when": {"service": {"remote": True}},
        "then": {"caution": "Careful."},
    }
    rule.update(over)
    return rule


def _problems(*rules: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        parse_pack({"pack": "bad", "rules": list(rules)})
    return [str(p) for p in err.value.problems]


def _only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- schema errors
@pytest.mark.parametrize(
    ("rule", "where", "says"),
    [
        (
            _rule("unknown-condition", when={"client": {"shoe_size": 42}, "service": {"remote": True}}),
            "rules[unknown-condition].when",
            ["unknown field 'shoe_size'", "allowed: age, avoid_sectors, documents"],
        ),
        (
            _rule("unknown-match", when={"match": {"fits_well": True}}),
            "rules[unknown-match].when",
            ["unknown field(s) ['fits_well']", "allowed: consent_reporting_feared, contact_conflict"],
        ),
        (
            _rule("unknown-effect-key", then={"cuation": "x"}),
            "rules[unknown-effect-key].then.cuation",
            [
                "unknown field",
                "allowed: always, boost, caution, demote, exclude, need, needs, on_request, rank, reason, require, suggest",
            ],
        ),
        (
            _rule("unknown-rule-key", whne={}),
            "rules[unknown-rule-key].whne",
            ["unknown field", "allowed: description, id, then, when"],
        ),
        (
            _rule("number-with-list-op", when={"client": {"age": {"any_of": [18]}}, "service": {"remote": True}}),
            "rules[number-with-list-op].when",
            [
                "client.age: operator 'any_of' does not apply to a number field",
                "allowed: eq, exists, gt, gte, in, lt, lte, ne, not_in",
            ],
        ),
        (
            _rule("list-with-compare", when={"client": {"fears": {"gt": 1}}, "service": {"remote": True}}),
            "rules[list-with-compare].when",
            ["client.fears: operator 'gt' does not apply to a list field", "allowed: all_of, any_of, none_of"],
        ),
        (
            _rule("list-with-exists", when={"client": {"fears": {"exists": True}}, "service": {"remote": True}}),
            "rules[list-with-exists].when",
            ["operator 'exists' does not apply to a list field", "allowed: all_of, any_of, none_of"],
        ),
        (
            _rule("list-with-literal", when={"client": {"fears": "police"}, "service": {"remote": True}}),
            "rules[list-with-literal].when",
            ["client.fears is a list: use any_of, all_of or none_of"],
        ),
        (
            _rule("bool-with-compare", when={"service": {"remote": {"lt": True}}}),
            "rules[bool-with-compare].when",
            ["service.remote: operator 'lt' does not apply to a bool field", "allowed: eq, exists, ne"],
        ),
        (
            _rule("scalar-with-compare", when={"service": {"capacity.status": {"gte": "open"}}}),
            "rules[scalar-with-compare].when",
            ["operator 'gte' does not apply to a scalar field", "allowed: eq, exists, in, ne, not_in"],
        ),
        (
            _rule("two-operators", when={"client": {"age": {"gt": 1, "lt": 9}}, "service": {"remote": True}}),
            "rules[two-operators].when",
            ["one operator per condition"],
        ),
        (
            _rule("two-effects", then={"caution": "a", "exclude": "b"}),
            "rules[two-effects].then",
            ["exactly one effect is needed", "allowed: exclude, caution, boost, demote, require, suggest"],
        ),
        (
            _rule("no-effect", then={"reason": "why"}),
            "rules[no-effect].then",
            ["exactly one effect is needed, got none"],
        ),
        (
            _rule("suggest-without-need", when={}, then={"suggest": "food.meals", "reason": "x"}),
            "rules[suggest-without-need].then",
            ["suggest needs 'need' set to a need id", "allowed: employment, current_expenses"],
        ),
        (
            _rule("suggest-unknown-need", when={}, then={"suggest": "food.meals", "need": "snacks", "reason": "x"}),
            "rules[suggest-unknown-need].then",
            ["suggest needs 'need' set to a need id"],
        ),
        (
            _rule("need-without-suggest", then={"caution": "x", "need": "food"}),
            "rules[need-without-suggest].then",
            ["'need' goes only with suggest"],
        ),
        (
            _rule("require-unknown-kind", then={"require": "documents.magic", "reason": "x"}),
            "rules[require-unknown-kind].then",
            ["require: unknown service kind 'documents.magic'", "documents.identity, documents.work_permit"],
        ),
        (
            _rule("suggest-unknown-kind", when={}, then={"suggest": "food.cake", "need": "food", "reason": "x"}),
            "rules[suggest-unknown-kind].then",
            ["suggest: unknown service kind 'food.cake'", "food.meals"],
        ),
        (
            _rule("boost-without-reason", then={"boost": 1.0}),
            "rules[boost-without-reason].then",
            ["need a 'reason' a person can read"],
        ),
        (
            _rule("suggest-about-services", then={"suggest": "food.meals", "need": "food", "reason": "x"}),
            "rules[suggest-about-services]",
            ["a suggest rule is about the client only"],
        ),
        (
            _rule("caution-on-everything", when={"client": {"documents": "lost"}}),
            "rules[caution-on-everything]",
            ["needs a service or match condition"],
        ),
        (
            _rule("empty-any", when={"client": {"any": []}, "service": {"remote": True}}),
            "rules[empty-any].when",
            ["client.any must be a non-empty list"],
        ),
        (
            _rule("in-with-one-value", when={"client": {"documents": {"in": "lost"}}, "service": {"remote": True}}),
            "rules[in-with-one-value].when",
            ["client.documents.in needs a non-empty list"],
        ),
    ],
    ids=lambda v: v["id"] if isinstance(v, dict) else None,
)
def test_a_bad_rule_is_rejected_naming_its_id_the_field_and_what_is_allowed(rule, where, says):
    problem = _only(_problems(rule))
    assert problem.startswith(where), problem
    for text in says:
        assert text in problem, problem


def test_every_bad_rule_of_a_pack_is_reported_at_once():
    problems = _problems(
        _rule("fine"),
        _rule("bad-one", then={"caution": "a", "exclude": "b"}),
        _rule("bad-two", when={"client": {"shoe_size": 42}, "service": {"remote": True}}),
    )
    assert [p.split(":")[0] for p in problems] == ["rules[bad-one].then", "rules[bad-two].when"]


def test_duplicate_rule_ids_are_named():
    problem = _only(_problems(_rule("same"), _rule("other"), _rule("same")))
    assert "duplicate rule id(s): same" in problem


def test_a_bad_rule_id_shows_the_pattern():
    problem = _only(_problems(_rule("Bad_Id")))
    assert problem.startswith("rules[Bad_Id].id") and "[a-z]" in problem


def test_a_rule_id_in_two_packs_is_a_compile_error():
    default = default_pack()
    clash = parse_pack({"pack": "clash", "rules": [_rule("free-of-charge")]})
    with pytest.raises(RuleError, match="'free-of-charge' is in both pack 'default' and 'clash'"):
        compile_rules(default, clash)


@pytest.mark.parametrize(
    "text",
    ["Hello {name}.", "Call {org.phone}.", "{services.name} is far", "Full{until}."],
)
@pytest.mark.parametrize("effect", ["exclude", "caution", "reason"])
def test_placeholders_must_start_with_client_service_or_match(text, effect):
    then = {effect: text} if effect != "reason" else {"boost": 1.0, "reason": text}
    pack = parse_pack({"pack": "p", "rules": [_rule("placeholder", then=then)]})
    with pytest.raises(
        RuleError, match=r"rule 'placeholder': placeholder\(s\) .* must start with client\., service\. or match\."
    ):
        compile_rules(pack)


def test_good_placeholders_compile():
    then = {"caution": "{service.name} reports to {service.reports_to}; {match.conflict_parties} ({client.plan})"}
    compiled = compile_rules(parse_pack({"pack": "p", "rules": [_rule("placeholder", then=then)]}))
    assert "placeholder" in compiled.by_id


# ---------------------------------------------------------------- versions
def test_the_default_version_is_a_stable_content_hash():
    first = load_rules().version
    assert first == load_rules().version == pack_version(core_pack(), default_pack())
    assert first.startswith("rules-") and len(first) == len("rules-") + 16
    # the same in another process with another hash seed: nothing depends on dict or set order
    code = "from freechoice.engine import load_rules; print(load_rules().version)"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONHASHSEED="12345"),
    )
    assert other.stdout.strip() == first, other.stderr


def _changed(rule_id: str, **then: Any) -> str:
    d = default_pack()
    rules = [r.model_copy(update={"then": r.then.model_copy(update=then)}) if r.id == rule_id else r for r in d.rules]
    return pack_version(core_pack(), d.model_copy(update={"rules": rules}))


def test_the_version_changes_when_any_rule_changes():
    base = pack_version(core_pack(), default_pack())
    versions = {
        base,
        _changed("free-of-charge", boost=0.3),
        _changed("free-of-charge", reason="No fee"),
        _changed("waitlist-flagged", caution="Has a queue."),
    }
    d = default_pack()
    versions.add(pack_version(core_pack(), d.model_copy(update={"rules": d.rules[:-1]})))
    versions.add(pack_version(core_pack(), d.model_copy(update={"rules": list(reversed(d.rules))})))
    versions.add(pack_version(default_pack()))  # without the core pack
    assert len(versions) == 7


def test_a_custom_pack_cannot_switch_off_the_core_hard_limits():
    compiled = compile_rules(parse_pack({"pack": "empty", "rules": []}))
    assert [r.id for r in compiled.rules] == [r.id for r in core_pack().rules]
    assert compiled.version == pack_version(core_pack(), parse_pack({"pack": "empty", "rules": []}))


# ---------------------------------------------------------------- compiler semantics
# Values each client field can take (the assessment's own vocabularies), for conditions.
_LANGS = ["my", "th", "km", "lo", "en"]
_VALUES: dict[str, list[Any]] = {
    "documents": ["valid", "expired", "lost", "confiscated", "fraudulent", "none"],
    "plan": ["stay", "return_home", "move_elsewhere", "undecided"],
    "gender": ["female", "male", "other"],
    "nationality": ["MM", "KH", "LA", "TH"],
    "location.country": ["TH", "MM"],
    "intended_location.country": ["TH", "MM"],
    "languages": _LANGS,
    "fears": list(PARTIES),
    "no_contact_with": list(PARTIES),
    "avoid_sectors": list(SECTORS),
    "work_limits": list(WORK_LIMITS),
    "work_choices": ["night_work", "sea_work"],
    "legal_interest": ["wage_claim", "criminal_case"],
    "documents_valid": [True, False],
    "minor": [True, False],
    "age": [0, 15, 17, 18, 30, 45, 70],
}
for _n in NEED_IDS:
    _VALUES[f"needs.{_n}"] = [0, 1, 2, 3, 4]
assert set(_VALUES) == set(CLIENT_FIELDS)

_OPS = {
    "scalar": ["literal", "eq", "ne", "in", "not_in", "exists"],
    "bool": ["literal", "eq", "ne", "exists"],
    "number": ["literal", "eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"],
    "list": ["any_of", "all_of", "none_of"],
}


@st.composite
def _condition(draw: st.DrawFn) -> tuple[str, Any]:
    field = draw(st.sampled_from(sorted(CLIENT_FIELDS)))
    values = _VALUES[field]
    op = draw(st.sampled_from(_OPS[CLIENT_FIELDS[field]]))
    if op == "literal":
        return field, draw(st.sampled_from(values))
    if op == "exists":
        return field, {"exists": draw(st.booleans())}
    if op in ("in", "not_in", "any_of", "all_of", "none_of"):
        return field, {op: draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))}
    return field, {op: draw(st.sampled_from(values))}


@st.composite
def _group(draw: st.DrawFn, max_size: int = 3) -> dict[str, Any]:
    return dict(draw(st.lists(_condition(), min_size=1, max_size=max_size, unique_by=lambda c: c[0])))


@st.composite
def _side(draw: st.DrawFn) -> dict[str, Any]:
    side = draw(_group())
    if draw(st.booleans()):
        side["any"] = draw(st.lists(_group(max_size=2), min_size=1, max_size=3))
    return side


_COMPARE = {
    "eq": lambda v, a: v == a,
    "ne": lambda v, a: v != a,
    "in": lambda v, a: v in a,
    "not_in": lambda v, a: v not in a,
    "lt": lambda v, a: v < a,
    "lte": lambda v, a: v <= a,
    "gt": lambda v, a: v > a,
    "gte": lambda v, a: v >= a,
}


def _client_value(a: Assessment, field: str) -> tuple[bool, Any]:
    """(given?, value) of a client field, read straight from the assessment."""
    s = a.situation
    if field.startswith("needs."):
        return True, a.needs.get(field.removeprefix("needs."), 0)
    if field == "documents_valid":
        return True, s.documents == "valid"
    if field == "minor":
        return s.age is not None, s.age is not None and s.age < 18
    if field == "location.country":
        return True, s.location.country
    if field == "intended_location.country":
        return s.intended_location is not None, s.intended_location.country if s.intended_location else None
    value = getattr(s, field)
    if CLIENT_FIELDS[field] == "list":
        return True, set(value)
    return value is not None, value


def _holds(a: Assessment, field: str, cond: Any) -> bool:
    """The documented meaning of one condition; a fact the client did not give satisfies
    nothing except ``exists: false`` (and ``none_of`` on lists, which are always given)."""
    given_, value = _client_value(a, field)
    if not isinstance(cond, dict):
        return given_ and value == cond
    ((op, arg),) = cond.items()
    if op == "exists":
        return given_ is arg
    if op == "any_of":
        return bool(value & set(arg))
    if op == "all_of":
        return set(arg) <= value
    if op == "none_of":
        return not (value & set(arg))
    if not given_:
        return False
    return _COMPARE[op](value, arg)


def _side_holds(a: Assessment, side: dict[str, Any]) -> bool:
    for field, cond in side.items():
        if field == "any":
            if not any(_side_holds(a, g) for g in cond):
                return False
        elif not _holds(a, field, cond):
            return False
    return True


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sides=st.lists(_side(), min_size=1, max_size=6), clients=st.lists(assessments(), min_size=1, max_size=6))
def test_compiled_client_conditions_match_exactly_when_the_yaml_says(sides, clients):
    for side in sides:
        When(client=side)  # every drawn condition is one the schema accepts
    host = RuleHost({"client": {f"r{i}": compile_side(side, CLIENT_FIELDS) for i, side in enumerate(sides)}})
    facts = [dict(client_fact(a), id=f"c{j}") for j, a in enumerate(clients)]
    got = set(host.evaluate("client", facts))
    want = {(f"r{i}", f"c{j}") for i, side in enumerate(sides) for j, a in enumerate(clients) if _side_holds(a, side)}
    assert got == want


@settings(max_examples=40, deadline=None)
@given(side=_side(), client=assessments())
def test_active_rules_follow_the_same_conditions(side, client):
    pack = parse_pack(
        {
            "pack": "p",
            "rules": [
                {
                    "id": "only-if",
                    "description": "x",
                    "when": {"client": side},
                    "then": {"suggest": "food.meals", "need": "food", "reason": "x"},
                }
            ],
        }
    )
    active = {r.id for r in compile_rules(pack, include_core=False).active_rules(client)}
    assert ("only-if" in active) is _side_holds(client, side)


# The same for service conditions over catalog services (fields absent from a service,
# such as employment facts of a service that is not a job, satisfy nothing but
# ``exists: false`` and ``none_of``).
_SERVICE_VALUES: dict[str, list[Any]] = {
    "kinds": list(SERVICE_KIND_IDS[:-1]),
    "requires": ["documents.identity", "documents.work_permit", "documents.police_report"],
    "reports_to_authorities": ["never", "with_consent", "mandatory"],
    "reports_to": list(PARTIES),
    "contact_with": list(PARTIES),
    "adverse_parties": list(PARTIES),
    "capacity.status": ["open", "waitlist", "full"],
    "employment.sectors": list(SECTORS),
    "employment.wage_ratio": [0.5, 0.9, 1.0, 1.2],
    "eligibility.documents_required": ["passport", "id_card", "work_permit"],
}
for _f, _kind in SERVICE_FIELDS.items():
    if _kind == "bool":
        _SERVICE_VALUES[_f] = [True, False]
assert set(_SERVICE_VALUES) == set(SERVICE_FIELDS)


@st.composite
def _service_condition(draw: st.DrawFn) -> tuple[str, Any]:
    field = draw(st.sampled_from(sorted(SERVICE_FIELDS)))
    values = _SERVICE_VALUES[field]
    op = draw(st.sampled_from(_OPS[SERVICE_FIELDS[field]]))
    if op == "literal":
        return field, draw(st.sampled_from(values))
    if op == "exists":
        return field, {"exists": draw(st.booleans())}
    if op in ("in", "not_in", "any_of", "all_of", "none_of"):
        return field, {op: draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))}
    return field, {op: draw(st.sampled_from(values))}


@st.composite
def _service_side(draw: st.DrawFn) -> dict[str, Any]:
    group = st.lists(_service_condition(), min_size=1, max_size=3, unique_by=lambda c: c[0]).map(dict)
    side = draw(group)
    if draw(st.booleans()):
        side["any"] = draw(st.lists(group, min_size=1, max_size=2))
    return side


@st.composite
def _services(draw: st.DrawFn) -> Service:
    sid = f"svc-{draw(st.integers(0, 10**6))}"
    kinds = draw(st.lists(st.sampled_from(_SERVICE_VALUES["kinds"]), min_size=1, max_size=2, unique=True))
    reporting = draw(st.sampled_from(_SERVICE_VALUES["reports_to_authorities"]))
    parties = st.lists(st.sampled_from(PARTIES), max_size=2, unique=True)
    reports_to = draw(
        st.lists(st.sampled_from(PARTIES), min_size=0 if reporting == "never" else 1, max_size=2, unique=True)
    )
    employment = None
    if "job_placement.direct_employer" in kinds or draw(st.booleans()):
        employment = Employment(
            direct_hire=draw(st.booleans()),
            charges_recruitment_fees=draw(st.booleans()),
            sectors=draw(st.lists(st.sampled_from(SECTORS), min_size=1, max_size=2, unique=True)),
            light_work_available=draw(st.booleans()),
            at_sea=draw(st.booleans()),
            night_work=draw(st.booleans()),
            full_time=draw(st.booleans()),
            wage_monthly=draw(st.none() | st.sampled_from([4500.0, 8100.0, 9000.0, 10800.0])),
            minimum_wage_monthly=9000.0,
        )
    return Service(
        id=sid,
        organization_id="org-prop",
        name="Property test service (fictional)",
        kinds=kinds,
        service_areas=[{"country": "TH", "area": "Songkhla"}],
        remote=draw(st.booleans()),
        interpretation=draw(st.booleans()),
        cost_options=draw(st.sampled_from([[], [{"amount": 0}], [{"amount": 100, "currency": "THB"}]])),
        eligibility={
            "legal_status_required": draw(st.booleans()),
            "documents_required": draw(
                st.lists(st.sampled_from(_SERVICE_VALUES["eligibility.documents_required"]), max_size=2, unique=True)
            ),
        },
        reports_to_authorities=reporting,
        reports_to=reports_to,
        contact_with=draw(parties),
        adverse_parties=draw(parties),
        represents_without_attending=draw(st.booleans()),
        restricts_movement=draw(st.booleans()),
        acts_without_client=draw(st.booleans()),
        employment=employment,
        capacity={"status": draw(st.sampled_from(_SERVICE_VALUES["capacity.status"]))},
        requires=draw(st.lists(st.sampled_from(_SERVICE_VALUES["requires"]), max_size=2, unique=True)),
    )


def _service_value(svc: Service, field: str) -> tuple[bool, Any]:
    emp = svc.employment
    if field.startswith("employment."):
        if emp is None:
            return (False, set()) if SERVICE_FIELDS[field] == "list" else (False, None)
        value = getattr(emp, field.removeprefix("employment."))
        if field == "employment.sectors":
            return True, set(value)
        return value is not None, value
    if field == "free":
        return True, all((c.amount or 0) == 0 for c in svc.cost_options)
    if field == "is_employer":
        return True, emp is not None
    if field == "capacity.status":
        return True, svc.capacity.status
    if field.startswith("eligibility."):
        value = getattr(svc.eligibility, field.removeprefix("eligibility."))
    else:
        value = getattr(svc, field)
    return True, set(value) if SERVICE_FIELDS[field] == "list" else value


def _service_side_holds(svc: Service, side: dict[str, Any]) -> bool:
    def one(field: str, cond: Any) -> bool:
        given_, value = _service_value(svc, field)
        if not isinstance(cond, dict):
            return given_ and value == cond
        ((op, arg),) = cond.items()
        if op == "exists":
            return given_ is arg
        if op in ("any_of", "all_of", "none_of"):
            return {"any_of": bool(value & set(arg)), "all_of": set(arg) <= value, "none_of": not (value & set(arg))}[
                op
            ]
        if not given_:
            return False
        return _COMPARE[op](value, arg)

    return all(
        any(_service_side_holds(svc, g) for g in cond) if field == "any" else one(field, cond)
        for field, cond in side.items()
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sides=st.lists(_service_side(), min_size=1, max_size=6),
    services=st.lists(_services(), min_size=1, max_size=6, unique_by=lambda s: s.id),
)
def test_compiled_service_conditions_match_exactly_when_the_yaml_says(sides, services):
    for side in sides:
        When(service=side)
    host = RuleHost({"service": {f"r{i}": compile_side(side, SERVICE_FIELDS) for i, side in enumerate(sides)}})
    got = set(host.evaluate("service", [service_fact(s) for s in services]))
    want = {(f"r{i}", s.id) for i, side in enumerate(sides) for s in services if _service_side_holds(s, side)}
    assert got == want
