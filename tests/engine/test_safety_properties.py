"""Client-safety promises (issue 9, part A), as properties over random clients and
generated catalogs. Each checks catalog facts, not the engine's own texts."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.engine import load_rules, propose
from freechoice.engine.children import ChildPolicy
from freechoice.engine.ordering import is_job, place_rank

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAFETY_NEEDS = {"safety_destination", "protection", "family_safety"}
HAZARDOUS_SECTORS = {"fishing", "seafood_processing", "construction", "domestic_work"}
DOCUMENT_HELP = {"documents.identity", "documents.legal_stay", "documents.recovery"}


def _reports(svc) -> bool:
    """Must report to police or immigration (catalog facts)."""
    return svc.reports_to_authorities == "mandatory" and bool({"police", "immigration"} & set(svc.reports_to))


def _bad_practice(svc) -> bool:
    emp = svc.employment
    if emp is not None and (emp.charges_recruitment_fees or not emp.direct_hire):
        return True
    if emp is not None and emp.wage_ratio is not None and emp.wage_ratio < 1:
        return True
    return svc.restricts_movement or svc.acts_without_client


minors = (
    assessments()
    .filter(lambda a: a.situation.age is not None)
    .map(lambda a: a.model_copy(update={"situation": a.situation.model_copy(update={"age": min(a.situation.age, 17)})}))
)


@PROPS
@given(a=minors, cat=catalogs(), show_all=st.booleans())
def test_a_child_is_never_offered_hazardous_work_a_room_alone_or_tracing_without_them(a, cat, show_all):
    ol = propose(a, cat, RULES, all_needs=True, show_all=show_all)
    for n in ol.needs:
        for o in n.options:
            svc = cat.service(o.service_id)
            emp = svc.employment
            if emp is not None:
                assert not (emp.at_sea or emp.night_work or emp.charges_recruitment_fees or not emp.direct_hire), o
                assert not set(emp.sectors) & HAZARDOUS_SECTORS, o
            assert "housing.rental_support" not in svc.kinds, o
            assert not svc.acts_without_client, o
    assert "protection" in [n.need for n in ol.needs]
    assert ol.cash.recipient == "guardian" and ol.cash.safeguarding


@PROPS
@given(a=minors, cat=catalogs())
def test_a_child_sees_child_protection_first_under_the_safety_needs(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    undocumented = a.situation.documents != "valid"
    for n in ol.needs:
        if n.need not in SAFETY_NEEDS:
            continue
        child, other = [], []
        for i, o in enumerate(n.options):
            svc = cat.service(o.service_id)
            if undocumented and _reports(svc):
                continue  # reporting services come last for a client without valid documents
            if "protection.child" in svc.kinds:
                child.append(i)
            elif not (undocumented and DOCUMENT_HELP & set(svc.kinds)):
                other.append(i)
        if child and other:
            assert max(child) < min(other), [o.service_id for o in n.options]


@PROPS
@given(a=assessments(), cat=catalogs())
def test_an_assessment_without_an_age_gets_a_list_caution(a, cat):
    ol = propose(a, cat, RULES)
    flagged = any("age not recorded" in c.text.lower() for c in ol.cautions)
    assert flagged is (a.situation.age is None)
    if a.situation.age is not None and a.situation.age >= 18:
        assert ol.cash.recipient == "client" and ol.cash.safeguarding is None


@PROPS
@given(a=assessments(), cat=catalogs(), majority=st.integers(15, 21))
def test_the_age_of_majority_is_the_client_countrys_setting(a, cat, majority):
    policy = ChildPolicy(age_of_majority={a.situation.location.country: majority})
    ol = propose(a, cat, RULES, children=policy)
    child = a.situation.age is not None and a.situation.age < majority
    assert (ol.cash.recipient == "guardian") is child
    assert ("protection" in [n.need for n in ol.needs]) is (child or a.needs.get("protection", 0) >= 3)


@PROPS
@given(a=assessments(), cat=catalogs())
def test_mandatory_reporting_is_disclosed_to_every_client_and_ranks_last_without_documents(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    undocumented = a.situation.documents != "valid"
    for n in ol.needs:
        order = []
        for o in n.options:
            svc = cat.service(o.service_id)
            texts = " ".join(c.text for c in o.cautions)
            if svc.reports_to_authorities == "mandatory":
                assert all(p in texts for p in svc.reports_to), (o.service_id, texts)
            if svc.reports_to_authorities == "with_consent":
                assert "only if you agree" in texts
            order.append(_reports(svc))
        if undocumented:
            assert order == sorted(order), [o.service_id for o in n.options]


@PROPS
@given(a=assessments(), cat=catalogs())
def test_a_scoped_boost_or_rank_counts_only_under_the_needs_its_rule_names(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    for n in ol.needs:
        for o in n.options:
            for note in [*o.reasons, *o.cautions]:
                rule = RULES.by_id.get(note.rule)
                if rule is not None and rule.then.needs is not None and rule.then.kind != "suggest":
                    assert n.need in rule.then.needs, (note.rule, n.need)


@PROPS
@given(a=assessments(), cat=catalogs())
def test_ties_break_by_place_then_id_never_by_name(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    places = a.places()
    for n in ol.needs:

        def key(o):
            ranks = sorted(r.rule for r in o.reasons if RULES.by_id.get(r.rule) and RULES.by_id[r.rule].then.rank)
            return (o.shown_on_request, tuple(ranks), is_job(cat.service(o.service_id)), o.score)

        for x, y in zip(n.options, n.options[1:], strict=False):
            if key(x) == key(y):
                px, py = place_rank(cat.service(x.service_id), places), place_rank(cat.service(y.service_id), places)
                assert (px, x.service_id) < (py, y.service_id), (x.service_id, y.service_id)


@PROPS
@given(a=assessments(), cat=catalogs())
def test_bad_practice_is_off_by_default_and_on_request_comes_back_last(a, cat):
    default = propose(a, cat, RULES, all_needs=True)
    shown = propose(a, cat, RULES, all_needs=True, show_all=True)
    for n in default.needs:
        for o in n.options:
            assert not _bad_practice(cat.service(o.service_id)), o.service_id
    on_request = {(e.need, e.service_id) for e in default.excluded if e.on_request}
    for _, sid in on_request:
        assert _bad_practice(cat.service(sid)), sid
    hard = {(e.need, e.service_id) for e in default.excluded if not e.on_request}
    by_need = {n.need: n for n in shown.needs}
    for n in default.needs:
        again = by_need[n.need]
        assert [o.service_id for o in again.options if not o.shown_on_request] == [o.service_id for o in n.options]
        flags = [o.shown_on_request for o in again.options]
        assert flags == sorted(flags)
        back = {(n.need, o.service_id) for o in again.options if o.shown_on_request}
        assert back == {x for x in on_request if x[0] == n.need and x not in hard}
        for o in again.options:
            if o.shown_on_request:
                assert o.cautions, o.service_id


@PROPS
@given(a=assessments(), cat=catalogs(), show_all=st.booleans())
def test_find_work_is_met_only_by_a_job_and_jobs_come_first(a, cat, show_all):
    ol = propose(a, cat, RULES, all_needs=True, show_all=show_all)
    for n in ol.needs:
        if n.need != "employment":
            continue
        usable = [o for o in n.options if not o.shown_on_request]
        jobs = [o for o in usable if is_job(cat.service(o.service_id))]
        assert (n.status == "met") is bool(jobs)
        if usable and not jobs:
            assert n.status == "no_job_yet" and n.unmet is not None
        undocumented = a.situation.documents != "valid"
        kinds = [
            is_job(cat.service(o.service_id))
            for o in usable
            if not (undocumented and _reports(cat.service(o.service_id)))
        ]
        assert kinds == sorted(kinds, reverse=True)


@PROPS
@given(a=assessments(), cat=catalogs())
def test_a_criminal_case_wish_lists_legal_proceedings_whatever_its_rank(a, cat):
    ol = propose(a, cat, RULES)
    listed = {n.need: n for n in ol.needs}
    if "criminal_case" in a.situation.legal_interest:
        assert "legal_proceedings" in listed
        for o in listed["legal_proceedings"].options:
            if "legal_aid.criminal_case" in cat.service(o.service_id).kinds:
                text = " ".join(c.text for c in o.cautions)
                assert "police" in text and "suspect" in text and "court" in text and "withdraw" in text


def _finds(strategy, condition) -> bool:
    from hypothesis import find

    return bool(find(strategy, condition, settings=settings(max_examples=300, deadline=None, database=None)))


def test_the_properties_see_the_cases_they_are_about():
    """Guard against vacuous properties: generated worlds do hold children with child
    protection among other safety options, undocumented clients with a reporting service
    next to a non-reporting one, and bad practice left out by default."""

    def child_protection_among_others(ac):
        a, cat = ac
        for n in propose(a, cat, RULES, all_needs=True).needs:
            kinds = [cat.service(o.service_id).kinds for o in n.options]
            if n.need in SAFETY_NEEDS and any("protection.child" in k for k in kinds) and len(kinds) > 1:
                return True
        return False

    def reporter_and_not(ac):
        a, cat = ac
        if a.situation.documents == "valid":
            return False
        for n in propose(a, cat, RULES, all_needs=True).needs:
            flags = {_reports(cat.service(o.service_id)) for o in n.options}
            if flags == {True, False}:
                return True
        return False

    def on_request(ac):
        a, cat = ac
        return any(e.on_request for e in propose(a, cat, RULES, all_needs=True).excluded)

    assert _finds(st.tuples(minors, catalogs(min_size=60, max_size=60)), child_protection_among_others)
    assert _finds(st.tuples(assessments(), catalogs(min_size=60, max_size=60)), reporter_and_not)
    assert _finds(st.tuples(assessments(), catalogs(min_size=60, max_size=60)), on_request)
