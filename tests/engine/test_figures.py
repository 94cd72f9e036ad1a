"""The dashboard's figures: groups under five never show a number."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from freechoice.catalog.taxonomy import NEED_IDS
from freechoice.engine.figures import OUTCOMES, programme_figures

need = st.fixed_dictionaries(
    {"need": st.sampled_from(NEED_IDS), "priority": st.integers(1, 4), "options": st.lists(st.just({}), max_size=1)}
)
option_list = st.fixed_dictionaries(
    {"client_ref": st.sampled_from([f"c-{i}" for i in range(12)]), "needs": st.lists(need, max_size=6)}
)
referral = st.fixed_dictionaries({"status": st.sampled_from(("draft", *OUTCOMES))})
feedback = st.fixed_dictionaries(
    {
        "satisfaction": st.integers(1, 5),
        "need_met": st.sampled_from(("yes", "partly", "no")),
        "created_at": st.dates(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    }
)


@given(st.lists(option_list, max_size=20), st.lists(referral, max_size=12), st.lists(feedback, max_size=30))
def test_small_groups_show_no_number_and_shares_are_shares(lists, refs, fb):
    f = programme_figures(lists, refs, fb, needs=NEED_IDS)
    assert f["clients"] == len({ol["client_ref"] for ol in lists})
    assert [r["need"] for r in f["need_rank_4"]] != [] and set(NEED_IDS) <= {r["need"] for r in f["need_rank_4"]}
    rows = [*f["need_rank_4"], *f["needs_by_priority"], *f["satisfaction_by_month"]]
    for row in rows:
        numbers = [v for k, v in row.items() if k in ("clients", "with_option", "share", "share_with_option", "mean")]
        if row["hidden"]:
            assert all(v is None for v in numbers), row
        for k in ("share", "share_with_option"):
            assert row.get(k) is None or 0 <= row[k] <= 1
    out = f["referral_outcomes"]
    assert out["referrals"] == sum(1 for r in refs if r["status"] != "draft")
    assert out["hidden"] == (out["referrals"] < 5)
    if out["hidden"]:
        assert all(s["count"] is None and s["share"] is None for s in out["by_status"])
    else:
        assert sum(s["count"] for s in out["by_status"]) == out["referrals"]
    assert sum(m["n"] for m in f["satisfaction_by_month"]) == len(fb)


def test_a_clients_latest_list_counts_and_needs_rank_most_first():
    old = {"client_ref": "c-0", "created_at": "2026-01-01", "needs": [{"need": "food", "priority": 4, "options": []}]}
    lists = [old] + [
        {
            "client_ref": f"c-{i}",
            "created_at": "2026-02-01",
            "needs": [{"need": "employment", "priority": 4, "options": [{}] if i % 2 else []}]
            + ([{"need": "food", "priority": 4, "options": [{}]}] if i < 2 else []),
        }
        for i in range(6)
    ]
    f = programme_figures(lists, [], [], needs=NEED_IDS)
    assert f["clients"] == 6
    top, second = f["need_rank_4"][:2]
    assert (top["need"], top["clients"], top["share"], top["with_option"]) == ("employment", 6, 1.0, 3)
    assert (second["need"], second["clients"]) == ("food", 2)  # c-0's older list with food unmet does not count
    assert second["share_with_option"] is None  # two clients: too few to say how many found an option
    p4 = f["needs_by_priority"][0]
    assert (p4["priority"], p4["needs"], p4["with_option"], p4["share"]) == (4, 8, 5, 0.625)
