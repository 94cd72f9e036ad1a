"""The cash option and the synthetic cohort the demo runs on."""

from __future__ import annotations

from freechoice.catalog import NEEDS
from freechoice.engine import cash_option, parse_assessment
from freechoice.engine.cohort import synthetic_assessment_dicts, synthetic_cohort


def _client(country: str):
    return parse_assessment(
        {
            "client_ref": "c-cash",
            "needs": {"food": 4, "debt": 3, "housing": 1},
            "situation": {"location": {"country": country}},
        }
    )


def test_cash_is_three_transfers_at_the_country_minimum_wage():
    c = cash_option(_client("TH"))
    assert (c.transfers, c.amount_per_transfer, c.currency) == (3, 9000.0, "THB")
    assert c.plan_needs == ["food", "debt", "housing"]
    assert c.spending_plan == []


def test_cash_table_is_configurable_and_unknown_countries_say_so():
    c = cash_option(_client("VN"), {"VN": (4_960_000.0, "VND")})
    assert (c.amount_per_transfer, c.currency) == (4_960_000.0, "VND")
    missing = cash_option(_client("VN"))
    assert missing.amount_per_transfer == 0 and "No minimum wage configured" in missing.basis


def test_cohort_priority_4_shares_match_the_brief():
    cohort = synthetic_cohort(117, seed=2016)
    assert len(cohort) == 117
    for nid, need in NEEDS.items():
        fours = sum(1 for a in cohort if a.needs.get(nid) == 4)
        assert fours == round(need.brief_share * 117), nid


def test_cohort_is_reproducible_and_seed_dependent():
    assert synthetic_assessment_dicts(30, seed=1) == synthetic_assessment_dicts(30, seed=1)
    assert synthetic_assessment_dicts(30, seed=1) != synthetic_assessment_dicts(30, seed=2)


def test_demo_runs_on_sqlite_and_prints_the_same_in_every_process(tmp_path):
    """The demo stores what it offered in SQLite, and its summary does not depend on
    hash randomisation (set order)."""
    import os
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    from freechoice.catalog import load_sample_catalog

    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        url = f"sqlite:///{tmp_path / f'demo-{seed}.db'}"
        done = subprocess.run(
            [sys.executable, "-m", "freechoice.api.cli", "demo", "--size", "40", "--database-url", url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        outs.add(
            "\n".join(
                line
                for line in done.stdout.splitlines()
                if "option lists in" not in line and not line.startswith("database:")
            )
        )
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select count(*) from option_lists")).scalar() == 40
            assert conn.execute(text("select count(*) from services")).scalar() == len(list(load_sample_catalog()))
        engine.dispose()
    assert len(outs) == 1
    out = next(iter(outs))
    assert "Find work" in out and "FICTIONAL" in out
    assert "40 clients: 3 minors; no contact with employer 2, broker 1, suspect 1" in out
    assert "met: at least one usable option; for 'find work', a job" in out
    # six months of cash-plus casework, and the measures a programme manager reads (issue 12)
    assert "Cash-plus over six months (2016-01-04 to 2016-08-04, simulated, seed 2016)" in out
    for measure in ("top needs met (", "top priorities served first (", "days to first transfer ("):
        assert measure in out
    assert "group(s) hidden: too few clients" in out


def test_the_cohort_holds_the_hard_cases_and_keeps_the_brief_shares():
    for size, seed in ((117, 2016), (40, 3), (12, 9)):
        cohort = synthetic_cohort(size, seed=seed)
        sits = [a.situation for a in cohort]
        assert sum(s.age is not None and s.age < 18 for s in sits) >= 3
        for party in ("employer", "broker", "suspect"):
            assert any(party in s.no_contact_with for s in sits), party
        assert any(not s.languages for s in sits)
        undecided = [s for s in sits if s.plan == "undecided"]
        assert any(s.possible_locations for s in undecided) and any(not s.possible_locations for s in undecided)
        assert any(s.documents == "valid" for s in sits) and any(s.documents != "valid" for s in sits)
        for nid, need in NEEDS.items():
            assert sum(a.needs.get(nid) == 4 for a in cohort) == round(need.brief_share * size), nid
