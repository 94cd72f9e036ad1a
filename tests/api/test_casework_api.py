"""Cash-plus over time through HTTP (issue 12), on SQLite and PostgreSQL: choosing cash
makes a transfer schedule; payments are recorded once, with proofs; late and missed
transfers show on the board; the spending plan keeps every version and never exceeds
what was paid plus what is due; follow-ups re-rank needs and build the journey; the
measures at GET /kpis; the anonymised donor report, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from api_support import ASSESSMENT

from freechoice.engine.casework import add_months

TODAY = dt.datetime.now(dt.UTC).date()


def _client(world, ref: str, *, plan=None, needs=None) -> dict:
    body = ASSESSMENT | {"client_ref": ref}
    if needs is not None:
        body = body | {"needs": needs}
    ol = world.client.post("/option-lists", json=body, headers=world.as_("cw_a")).json()
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices",
        json={"option_ids": ["cash"], **({"spending_plan": plan} if plan else {})},
        headers=world.as_("cw_a"),
    )
    assert choice.status_code == 201, choice.text
    return ol


@pytest.fixture(scope="module")
def cash_client(world):
    ol = _client(world, "c-cash-1", plan=[{"need": "housing", "amount": 5000, "note": "ค่าเช่าห้อง"}])
    return {"ol": ol, "ref": "c-cash-1"}


def test_choosing_cash_makes_three_monthly_transfers_in_exact_amounts(world, cash_client):
    r = world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_a"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["number"] for t in body["transfers"]] == [1, 2, 3]
    assert [t["due_on"] for t in body["transfers"]] == [add_months(TODAY, i).isoformat() for i in range(3)]
    assert {t["amount"] for t in body["transfers"]} == {"9000.00"}  # exact, as a string
    assert body["currency"] == "THB" and body["paid"] == "0.00" and body["due"] == "27000.00"
    assert [t["status"] for t in body["transfers"]] == ["due", "due", "due"]
    # the choice's plan became version 1 of the spending plan, in exact money
    plan = world.client.get("/clients/c-cash-1/spending-plan", headers=world.as_("cw_a")).json()
    assert plan["version"] == 1 and plan["total"] == "5000.00"
    assert plan["lines"] == [{"need": "housing", "amount": "5000.00", "note": "ค่าเช่าห้อง"}]
    # another organisation sees nothing
    assert world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_b")).status_code == 404


def test_a_payment_is_recorded_once_with_its_proof_and_bad_ones_name_the_field(world, cash_client):
    transfers = world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_a")).json()["transfers"]
    first = transfers[0]["id"]
    too_much = world.client.post(
        f"/transfers/{first}/payments",
        json={"paid_on": TODAY.isoformat(), "amount": "9000.01", "reference": "BK-1"},
        headers=world.as_("cw_a"),
    )
    assert too_much.status_code == 422
    assert {e["field"] for e in too_much.json()["errors"]} == {"amount"}
    future = world.client.post(
        f"/transfers/{first}/payments",
        json={"paid_on": (TODAY + dt.timedelta(days=1)).isoformat(), "amount": "9000", "reference": "BK-1"},
        headers=world.as_("cw_a"),
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "paid_on"
    floaty = world.client.post(
        f"/transfers/{first}/payments",
        json={"paid_on": TODAY.isoformat(), "amount": 9000.5, "reference": "BK-1"},
        headers=world.as_("cw_a"),
    )
    assert floaty.status_code == 422
    ok = world.client.post(
        f"/transfers/{first}/payments",
        json={"paid_on": TODAY.isoformat(), "amount": "9000.00", "method": "mobile_money", "reference": "MM-778812"},
        headers=world.as_("cw_a"),
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["payment"]["reference"] == "MM-778812" and ok.json()["status"] == "paid"
    again = world.client.post(
        f"/transfers/{first}/payments",
        json={"paid_on": TODAY.isoformat(), "amount": "9000.00", "reference": "MM-778813"},
        headers=world.as_("cw_a"),
    )
    assert again.status_code == 409 and "never paid twice" in again.json()["detail"]
    assert (
        world.client.post(
            f"/transfers/{first}/payments",
            json={"paid_on": TODAY.isoformat(), "amount": "1", "reference": "x"},
            headers=world.as_("cw_b"),
        ).status_code
        == 404
    )
    body = world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_a")).json()
    assert body["paid"] == "9000.00" and body["due"] == "18000.00"


def test_late_and_missed_transfers_show_on_the_board(world, cash_client):
    second_due = add_months(TODAY, 1)
    late_day = second_due + dt.timedelta(days=8)
    board = world.client.get("/transfers", params={"as_of": late_day.isoformat()}, headers=world.as_("cw_a")).json()
    assert board["as_of"] == late_day.isoformat()
    board = board["items"]
    mine = {t["number"]: t for t in board if t["client_ref"] == "c-cash-1"}
    assert mine[1]["status"] == "paid" and mine[2]["status"] == "late" and mine[2]["days_overdue"] == 8
    assert 3 not in mine  # not yet due on that day
    missed_day = second_due + dt.timedelta(days=30)
    only = world.client.get(
        "/transfers", params={"as_of": missed_day.isoformat(), "status": "missed"}, headers=world.as_("cw_a")
    ).json()["items"]
    assert [(t["client_ref"], t["number"]) for t in only if t["client_ref"] == "c-cash-1"] == [("c-cash-1", 2)]
    assert all(t["status"] == "missed" for t in only)
    assert world.client.get("/transfers", headers=world.as_("cw_b")).json()["items"] == []


def test_the_plan_is_versioned_and_never_exceeds_paid_plus_due(world, cash_client):
    over = world.client.put(
        "/clients/c-cash-1/spending-plan",
        json={"lines": [{"need": "housing", "amount": "20000"}, {"need": "employment", "amount": "7000.01"}]},
        headers=world.as_("cw_a"),
    )
    assert over.status_code == 422
    err = {e["field"]: e for e in over.json()["errors"]}
    assert set(err) == {"lines"} and "27,000.00 THB" in err["lines"]["message"]
    assert err["lines"]["allowed"] == ["at most 27000.00 THB in all"]
    unknown = world.client.put(
        "/clients/c-cash-1/spending-plan",
        json={"lines": [{"need": "moon_trip", "amount": "1"}]},
        headers=world.as_("cw_a"),
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines[0].need"
    ok = world.client.put(
        "/clients/c-cash-1/spending-plan",
        json={
            "lines": [{"need": "housing", "amount": "20000", "note": "ห้อง"}, {"need": "employment", "amount": "7000"}],
            "language": "th",
        },
        headers=world.as_("cw_a"),
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.json()["total"] == "27000.00" and ok.json()["limit"] == "27000.00"
    history = world.client.get("/clients/c-cash-1/spending-plan/history", headers=world.as_("cw_a")).json()["versions"]
    assert [h["version"] for h in history] == [1, 2]
    assert history[0]["total"] == "5000.00"  # the first version is kept as it was
    assert world.client.get("/clients/c-cash-1/spending-plan/history", headers=world.as_("cw_b")).status_code == 404


def test_follow_ups_re_rank_needs_and_make_the_journey(world, cash_client):
    one = world.client.post(
        "/clients/c-cash-1/follow-ups",
        json={
            "on": add_months(TODAY, 1).isoformat(),
            "spent": {"housing": "4000.00"},
            "outcomes": {"housing": "partly", "compensation": "not_yet"},
            "satisfaction": 4,
            "would_recommend": True,
            "words": "Call me on +66 81 234 5678, the room near Talat Mai market is fine.",
            "note": "Met Ko Aung Min at home; passport MA1234567 still with the broker.",
        },
        headers=world.as_("cw_a"),
    )
    assert one.status_code == 201, one.text
    assert one.json()["assessment_id"] is None
    two = world.client.post(
        "/clients/c-cash-1/follow-ups",
        json={
            "on": add_months(TODAY, 2).isoformat(),
            "spent": {"housing": "4000.00", "employment": "2500.50"},
            "outcomes": {"housing": "met", "employment": "met", "compensation": "no_longer_priority"},
            "needs": {"employment": 4, "housing": 4, "compensation": 2},
            "referral_outcomes": [{"referral_id": "rf-x", "provider_id": "org-x", "outcome": "helped"}],
        },
        headers=world.as_("cw_a"),
    )
    assert two.status_code == 201, two.text
    assert two.json()["assessment_id"].startswith("as-")
    bad = world.client.post(
        "/clients/c-cash-1/follow-ups",
        json={"on": TODAY.isoformat(), "outcomes": {"housing": "great"}},
        headers=world.as_("cw_a"),
    )
    assert bad.status_code == 422 and "met" in str(bad.json()["errors"])
    j = world.client.get(
        "/clients/c-cash-1/journey", params={"as_of": add_months(TODAY, 2).isoformat()}, headers=world.as_("cw_a")
    ).json()
    steps = j["steps"]
    assert [s["step"] for s in steps] == [0, 1, 2]
    assert set(steps[0]["top_needs"]) == {"housing", "compensation"}
    assert steps[1]["re_ranked"] is False and steps[1]["top_needs_met"] == 0
    assert steps[2]["re_ranked"] is True and set(steps[2]["top_needs"]) == {"housing", "employment"}
    assert steps[2]["top_needs_met"] == 2
    assert steps[2]["spent_so_far"] == {"employment": "2500.50", "housing": "8000.00"}
    planned = {p["month"]: p["status"] for p in j["follow_ups_planned"]}
    assert planned == {1: "done", 2: "done", 3: "upcoming", 6: "upcoming"}
    due = world.client.get(
        "/follow-ups/due", params={"as_of": add_months(TODAY, 3).isoformat()}, headers=world.as_("cw_a")
    ).json()["items"]
    assert {"client_ref": "c-cash-1", "month": 3} in [{k: d[k] for k in ("client_ref", "month")} for d in due]
    # the re-ranking is the plan's new ranking: a plan line for a need now ranked is allowed
    listed = world.client.get("/clients/c-cash-1/follow-ups", headers=world.as_("cw_a")).json()["items"]
    assert [f["on"] for f in listed] == [add_months(TODAY, 1).isoformat(), add_months(TODAY, 2).isoformat()]


def test_the_donor_report_is_anonymised_and_audited(world, cash_client):
    period = {"from": TODAY.isoformat(), "to": add_months(TODAY, 3).isoformat()}
    csv_text = world.client.get("/reports/donor", params=period, headers=world.as_("cw_a"))
    assert csv_text.status_code == 200, csv_text.text
    assert csv_text.headers["content-type"].startswith("text/csv")
    text = csv_text.text
    assert "MM-778812" in text  # the proof of payment
    for leak in ("c-cash-1", "+66 81", "234 5678", "Aung", "MA1234567", "Talat Mai"):
        assert leak not in text, leak
    assert "case-" in text and "[phone]" in text and "[id number]" in text
    page = world.client.get("/reports/donor", params=period | {"format": "html"}, headers=world.as_("cw_a"))
    assert page.status_code == 200 and page.text.startswith("<!DOCTYPE html>")
    assert "<script" not in page.text and "src=" not in page.text and "MM-778812" in page.text
    assert "c-cash-1" not in page.text
    exports = world.client.get(
        "/audit", params={"resource": "donor_report", "action": "export"}, headers=world.as_("admin")
    ).json()["items"]
    assert len(exports) >= 2 and exports[0]["detail"]["organization"] == "org-cw-a"
    other = world.client.get(
        "/reports/donor", params=period | {"organization_id": "org-cw-a"}, headers=world.as_("cw_b")
    )
    assert other.status_code == 404
    backwards = world.client.get(
        "/reports/donor", params={"from": period["to"], "to": period["from"]}, headers=world.as_("cw_a")
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"


def test_every_cash_plus_read_is_audited(world, cash_client):
    entries = world.client.get(
        "/audit", params={"client_ref": "c-cash-1", "action": "read"}, headers=world.as_("admin")
    ).json()["items"]
    assert {"transfer", "spending_plan", "journey", "follow_up"} <= {e["resource"] for e in entries}


MEASURED = [f"c-m-{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def measured(world, cash_client):
    """Six more cash clients of cw_a, each paid once and followed up twice."""
    for i, ref in enumerate(MEASURED):
        _client(world, ref, needs={"housing": 4, "employment": 4, "debt": 2})
        first = world.client.get(f"/clients/{ref}/transfers", headers=world.as_("cw_a")).json()["transfers"][0]
        paid = world.client.post(
            f"/transfers/{first['id']}/payments",
            json={"paid_on": TODAY.isoformat(), "amount": "9000.00", "reference": f"BK-{i}"},
            headers=world.as_("cw_a"),
        )
        assert paid.status_code == 201
        for month in (1, 2):
            outcomes = {"housing": "met" if (i + month) % 2 else "partly", "employment": OUTCOMES_CYCLE[i % 4]}
            r = world.client.post(
                f"/clients/{ref}/follow-ups",
                json={
                    "on": add_months(TODAY, month).isoformat(),
                    "outcomes": outcomes,
                    "satisfaction": 1 + (i + month) % 5,
                    "would_recommend": (i + month) % 3 != 0,
                    "dropped_out": i == 5 and month == 2,
                },
                headers=world.as_("cw_a"),
            )
            assert r.status_code == 201, r.text
    return MEASURED


OUTCOMES_CYCLE = ["met", "partly", "not_yet", "no_longer_priority"]


def test_the_measures_at_kpis_equal_a_recount_from_the_raw_records(world, measured):
    clients = ["c-cash-1", *measured]
    kpis = world.client.get("/kpis", headers=world.as_("cw_a"))
    assert kpis.status_code == 200, kpis.text
    body = kpis.json()
    assert "share_priority_4_with_option" in body  # the existing figures are still there
    m = body["measures"]
    # recount from what the API gives back, client by client
    latest, by_k, sats, drops, firsts = [], {}, {}, 0, []
    for ref in clients:
        steps = world.client.get(f"/clients/{ref}/journey", headers=world.as_("cw_a")).json()["steps"]
        for s in steps[1:]:
            by_k.setdefault(s["step"], []).append((s["top_needs_met"], len(s["top_needs"])))
        latest.append((steps[-1]["top_needs_met"], len(steps[-1]["top_needs"])))
        fus = world.client.get(f"/clients/{ref}/follow-ups", headers=world.as_("cw_a")).json()["items"]
        for k, f in enumerate(fus, start=1):
            if f["satisfaction"] is not None:
                sats.setdefault(k, []).append(f["satisfaction"])
        drops += any(f["dropped_out"] for f in fus)
        transfers = world.client.get(f"/clients/{ref}/transfers", headers=world.as_("cw_a")).json()["transfers"]
        paid = [dt.date.fromisoformat(t["payment"]["paid_on"]) for t in transfers if t["payment"]]
        if paid:
            firsts.append((min(paid) - TODAY).days)
    assert m["top_needs_met"]["clients"] == len(clients)
    assert m["top_needs_met"]["value"] == round(sum(a for a, _ in latest) / sum(b for _, b in latest), 4)
    for g in m["top_needs_met"]["groups"]:
        rows = by_k[int(g["group"].split()[-1])]
        assert g["clients"] == len(rows)
        assert g["value"] == round(sum(a for a, _ in rows) / sum(b for _, b in rows), 4)
    groups = {g["group"]: g for g in m["satisfaction_over_time"]["groups"]}
    for k, values in sats.items():
        assert groups[f"follow-up {k}"]["value"]["mean_satisfaction"] == round(sum(values) / len(values), 2)
    assert m["dropouts"]["value"] == {"dropped_out": drops, "share": round(drops / len(clients), 4)}
    assert m["days_to_first_transfer"]["value"] == {"median_days": sorted(firsts)[len(firsts) // 2]}
    assert m["choices"]["value"]["lists_chosen_from"] == len(clients)
    for measure in m.values():
        assert measure["definition"] and (measure["clients"] is None or measure["clients"] >= 5)
    # the referral outcomes of a single client (one provider, one report) stay hidden
    provider = {g["group"]: g for g in m["referral_outcomes_by_provider"]["groups"]}
    assert provider["org-x"]["suppressed"] is True and provider["org-x"]["value"] is None


def test_small_groups_are_hidden_and_the_minimum_cannot_be_lowered(world, measured):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    empty = world.client.get("/kpis", params={"since": tomorrow}, headers=world.as_("cw_a")).json()["measures"]
    assert all(m["suppressed"] and m["value"] is None and m["clients"] is None for m in empty.values())
    # the programme's minimum is 5: asking for 1 does not reveal the single client of org-x
    low = world.client.get("/kpis", params={"min_group": 1}, headers=world.as_("cw_a")).json()["measures"]
    assert {g["group"]: g for g in low["referral_outcomes_by_provider"]["groups"]}["org-x"]["value"] is None
    high = world.client.get("/kpis", params={"min_group": 100}, headers=world.as_("cw_a")).json()["measures"]
    assert high["top_needs_met"]["suppressed"] is True


def test_erasing_a_client_removes_their_cash_plus_records(world, measured):
    r = world.client.delete("/clients/c-m-6", headers=world.as_("cw_a"))
    assert r.status_code == 200, r.text
    assert r.json()["erased"]["casework_records"] == 3 + 1 + 2  # transfers, a payment, follow-ups
    for path in ("/clients/c-m-6/transfers", "/clients/c-m-6/journey", "/clients/c-m-6/follow-ups"):
        assert world.client.get(path, headers=world.as_("cw_a")).status_code == 404


def test_programme_settings_are_passed_in_and_shape_the_schedule(tmp_path):
    """A programme paying two transfers every two months by mobile money, with its own
    amount for Thailand; a bad setting stops the app with the key named."""
    from fastapi.testclient import TestClient

    from freechoice.api import Settings, create_app
    from freechoice.api.auth import create_key
    from freechoice.catalog import Organization
    from freechoice.catalog.db import save_organization

    programme = {"transfers": 2, "interval_months": 2, "method": "mobile_money", "amounts": {"TH": ["7500.50", "THB"]}}
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", load_sample=True, programme=programme))
    with app.state.freechoice.db.writing() as s:
        save_organization(s, Organization(id="org-p", name="Programme (fictional)"), "test")
        cw = {"Authorization": "Bearer " + create_key(s, "org-p", "caseworker", created_by="test")[1]}
    with TestClient(app) as client:
        ol = client.post("/option-lists", json=ASSESSMENT | {"client_ref": "c-p-1"}, headers=cw).json()
        client.post(f"/option-lists/{ol['id']}/choices", json={"option_ids": ["cash"]}, headers=cw)
        body = client.get("/clients/c-p-1/transfers", headers=cw).json()
    assert [(t["due_on"], t["amount"], t["method"]) for t in body["transfers"]] == [
        (TODAY.isoformat(), "7500.50", "mobile_money"),
        (add_months(TODAY, 2).isoformat(), "7500.50", "mobile_money"),
    ]
    assert body["due"] == "15001.00"
    with pytest.raises(ValueError, match="missed_after_days"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'q.db'}", programme={"missed_after_days": 3}))


def test_retention_takes_the_cash_plus_records_with_the_last_assessment(world, measured):
    """Run last: the purge, with a clock a year and more ahead, removes every case of
    org-cw-a made here, and with them their transfers, payments, plans and follow-ups."""
    from sqlalchemy import func, select

    from freechoice.api.retention import run_retention
    from freechoice.catalog.db.tables import FollowUpRow, SpendingPlanRow, TransferPaymentRow, TransferRow

    db = world.client.app.state.freechoice.db
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    dry = run_retention(db, now=later, default_days=365, dry_run=True).organizations["org-cw-a"][1]
    assert dry.casework_records > 0
    assert world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_a")).status_code == 200
    done = run_retention(db, now=later, default_days=365).organizations["org-cw-a"][1]
    assert done.casework_records == dry.casework_records, "the dry run counted right"
    assert world.client.get("/clients/c-cash-1/transfers", headers=world.as_("cw_a")).status_code == 404
    with db.session() as s:
        for table in (TransferRow, TransferPaymentRow, SpendingPlanRow, FollowUpRow):
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.__tablename__
