"""Jobs show their facts (issue 9, item 5): every job option carries the catalog's
employment facts, renders them, and no reason says what the facts deny."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.catalog import load_sample_catalog
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.render import render_detail

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(a=assessments(), cat=catalogs())
def test_every_job_option_carries_its_facts_and_no_reason_contradicts_them(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    chosen = set(a.situation.work_choices)
    undocumented = a.situation.documents != "valid"
    for need in ol.needs:
        for o in need.options:
            emp = cat.service(o.service_id).employment
            if emp is None:
                assert o.job is None
                continue
            j = o.job
            assert j is not None
            assert j.sectors == emp.sectors and j.hire == ("direct" if emp.direct_hire else "broker")
            assert (j.charges_recruitment_fees, j.night_work, j.at_sea, j.full_time, j.light_work_available) == (
                emp.charges_recruitment_fees,
                emp.night_work,
                emp.at_sea,
                emp.full_time,
                emp.light_work_available,
            )
            if j.wage_monthly is not None and j.minimum_wage_monthly:
                assert j.wage_vs_minimum == (
                    "below"
                    if emp.wage_monthly < j.minimum_wage_monthly
                    else "at"
                    if emp.wage_monthly == j.minimum_wage_monthly
                    else "above"
                )
            said = " ".join(r.text.lower() for r in o.reasons)
            if not emp.direct_hire:
                assert "hires directly" not in said, o.option_id
            if emp.charges_recruitment_fees:
                assert "no broker fees" not in said and "no fees" not in said, o.option_id
            if j.wage_vs_minimum == "below":
                assert "at least the minimum wage" not in said, o.option_id
            rules = {c.rule for c in o.cautions}
            assert ("sea-work-flagged" in rules) == (emp.at_sea and "sea_work" not in chosen)
            assert ("night-work-flagged" in rules) == (emp.night_work and "night_work" not in chosen)
            legal = cat.service(o.service_id).eligibility.legal_status_required
            assert ("no-legal-status-undocumented" in rules) == (undocumented and not legal)


def test_a_job_renders_what_a_worker_asks():
    a = parse_assessment(
        {
            "client_ref": "c-job",
            "needs": {"employment": 4},
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"], "documents": "valid"},
        }
    )
    ol = propose(a, load_sample_catalog(), RULES)
    jobs = [o for n in ol.needs for o in n.options if o.job is not None]
    assert jobs
    text = render_detail(ol)
    for o in jobs:
        line = next(
            line
            for line in text.splitlines()
            if line.strip().startswith("job:") and text.index(line) > text.index(o.service_name)
        )
        assert ("hires directly" if o.job.hire == "direct" else "through a broker") in line
        assert ("charges recruitment fees" if o.job.charges_recruitment_fees else "no recruitment fees") in line
        assert "a month" in line or "wage not stated" in line


def test_the_minimum_wage_comes_from_the_table_when_the_job_gives_none():
    from freechoice.catalog import Catalog, Organization, Service

    org = Organization(id="org-j", name="Jobs (fictional)", sample=True)
    job = Service(
        id="svc-j",
        organization_id="org-j",
        name="Packing",
        kinds=["job_placement.direct_employer"],
        service_areas=[{"country": "TH", "area": "Songkhla"}],
        languages=["my"],
        employment={
            "direct_hire": True,
            "charges_recruitment_fees": False,
            "sectors": ["manufacturing"],
            "wage_monthly": 8000,
            "currency": "THB",
        },
    )
    a = parse_assessment(
        {
            "client_ref": "c-j",
            "needs": {"employment": 4},
            "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
        }
    )
    cat = Catalog([org], [job], sample=True)
    (o,) = propose(a, cat, RULES).needs[0].options
    assert (o.job.minimum_wage_monthly, o.job.currency, o.job.wage_vs_minimum) == (9000.0, "THB", "below")
    (o,) = propose(a, cat, RULES, minimum_wages={"TH": (7500.0, "THB")}).needs[0].options
    assert (o.job.minimum_wage_monthly, o.job.wage_vs_minimum) == (7500.0, "above")
