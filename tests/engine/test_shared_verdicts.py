"""One rules' verdict per request for candidates alike (issue 14 item 1, the p95 at
national scale): a request works out the rules' verdict once per (service tag set,
values of the match facts the applying rules test) and shares it. Sharing must change
nothing a client sees: every list, bounded or not, with or without ``show_all``, is the
list each candidate's rules over its own facts give, for generated catalogs, clients
and rule packs (the bundled one and packs whose rules test other facts and name other
words)."""

from __future__ import annotations

import sys

import pytest
from assessment_strategies import assessments, catalogs, pathway_catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import Catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import compile_rules, load_rules, propose
from freechoice.engine.cohort import synthetic_cohort
from freechoice.rules import default_pack
from freechoice.rules.schema import MATCH_FIELDS

RULES = load_rules()
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PROPOSE = sys.modules["freechoice.engine.propose"]
_PACK = default_pack()
_FACT_WORDS = sorted(
    {
        "conflict_parties",
        "eligibility_problems",
        "missing_documents",
        "spoken_language",
        "will_meet",
        "case_against",
        "full_until",
        "client_languages",
        *MATCH_FIELDS,
    }
)


def _lists(monkeypatch: pytest.MonkeyPatch, a, cat, rules, **kw) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    shared = propose(a, cat, rules, **kw).model_dump_json()
    with monkeypatch.context() as m:
        m.setattr(_PROPOSE, "_SHARE_VERDICTS", False)
        alone = propose(a, cat, rules, **kw).model_dump_json()
    return shared, alone


@st.composite
def rule_packs(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    """The bundled pack with some rules testing other match facts (any, with either
    value) and their words naming other facts, the service and the client."""
    rules = []
    for rule in _PACK.rules:
        if rule.then.kind != "suggest" and draw(st.booleans()):
            match = draw(st.dictionaries(st.sampled_from(sorted(MATCH_FIELDS)), st.booleans(), max_size=3))
            when = rule.when.model_copy(update={"match": match})
            then = rule.then
            word = draw(st.sampled_from(_FACT_WORDS))
            extra = f" ({{match.{word}}}; {{service.name}}; {{client.nationality}})"
            for field in ("exclude", "caution", "on_request", "reason"):
                if getattr(then, field):
                    then = then.model_copy(update={field: getattr(then, field) + extra})
            rule = rule.model_copy(update={"when": when, "then": then})
        rules.append(rule)
    return _PACK.model_copy(update={"pack": "mixed", "rules": rules})


def _verdicts(a, cat, rules, share: bool) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """Every service's evaluation (its verdict with the words filled in) in one request."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_PROPOSE, "_SHARE_VERDICTS", share)
        req = _PROPOSE._Request(a, cat, rules, None)
    req.evaluate(sorted(s.id for s in cat))
    out = {}
    for sid, ev in req.evals.items():
        reasons, cautions = req.notes(ev)
        scoped = [(sorted(n), k, v, req.fill(ev, note)) for n, k, v, note in ev.scoped]
        out[sid] = (
            list(ev.excluded),
            list(ev.on_request),
            list(ev.required),
            reasons,
            cautions,
            scoped,
            ev.first,
            ev.last,
            ev.weight,
            ev.score,
        )
    return out


@PROPS
@given(a=assessments(), cat=catalogs(min_size=60, max_size=240))
def test_every_service_gets_its_own_verdict_when_shared(a, cat) -> None:
    """Each service of the catalog, evaluated for the client, gets from a shared verdict
    exactly what its rules over its own facts give: which rules fired, their words, its
    score and rank."""
    assert _verdicts(a, cat, RULES, True) == _verdicts(a, cat, RULES, False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack=st.deferred(lambda: rule_packs()), a=assessments(), cat=catalogs(min_size=60, max_size=160))
def test_every_service_gets_its_own_verdict_under_other_packs(pack, a, cat) -> None:
    assert _verdicts(a, cat, compile_rules(pack), True) == _verdicts(a, cat, compile_rules(pack), False)


@PROPS
@given(
    a=assessments(),
    cat=catalogs(min_size=20, max_size=120),
    limit=st.sampled_from([None, 1, 3]),
    show_all=st.booleans(),
)
def test_shared_verdicts_give_every_list_as_each_candidate_alone(a, cat, limit, show_all) -> None:
    with pytest.MonkeyPatch.context() as mp:
        shared, alone = _lists(mp, a, cat, RULES, limit=limit, show_all=show_all)
    assert shared == alone


@PROPS
@given(a=assessments(), cat=pathway_catalogs(), limit=st.sampled_from([None, 1]), show_all=st.booleans())
def test_shared_verdicts_keep_every_step(a, cat, limit, show_all) -> None:
    """Required steps and what blocks them (rules' words filled per service) are the same."""
    with pytest.MonkeyPatch.context() as mp:
        shared, alone = _lists(mp, a, cat, RULES, limit=limit, show_all=show_all)
    assert shared == alone


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pack=rule_packs(),
    a=assessments(),
    cat=catalogs(min_size=20, max_size=80),
    limit=st.sampled_from([None, 2]),
    show_all=st.booleans(),
)
def test_shared_verdicts_hold_for_other_rule_packs(pack, a, cat, limit, show_all) -> None:
    """Whatever facts a pack's rules test and whatever their words name, sharing changes nothing."""
    rules = compile_rules(pack)
    with pytest.MonkeyPatch.context() as mp:
        shared, alone = _lists(mp, a, cat, rules, limit=limit, show_all=show_all)
    assert shared == alone


def test_candidates_alike_share_one_verdict() -> None:
    """The properties above compare two different ways: on a generated catalog of 1,000
    services the cohort's first client's candidates share a verdict: fewer than half as many verdicts as candidates."""
    orgs, services = generate_services(1000)
    cat = Catalog(orgs, services, sample=True)
    a = synthetic_cohort(1, 2016)[0]
    req = _PROPOSE._Request(a, cat, RULES, None)
    ids = sorted(s.id for s in services)
    req.evaluate(ids)
    assert req._verdicts is not None
    assert 0 < len(req._verdicts) < len(req.evals) // 2, (len(req._verdicts), len(req.evals))
