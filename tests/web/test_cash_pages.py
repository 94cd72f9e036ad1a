"""The cash-plus pages over HTTP (issue 12): transfers and payments, the board, the
spending plan and its versions, follow-ups and the journey, the donor report. Each
page stores what the API stores (read back through the API), shows refusals next to
their field, answers 404 for another organisation's client, and refuses a form
without its CSRF token."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from web_support import csrf_of

from freechoice.api.web.i18n import translator
from freechoice.catalog.db.tables import AuditEntry, ReferralRow

INTAKE = {
    "language_1": "my",
    "need_housing": "4",
    "need_compensation": "4",
    "need_food": "3",
    "location_country": "TH",
    "location_area": "Songkhla",
    "plan": "stay",
    "documents": "confiscated",
}
TODAY = dt.datetime.now(dt.UTC).date()


def _post(c, path, data, *, get=None):
    page = c.get(get or path)
    return c.post(path, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False)


def _chose_cash(c, ref: str) -> str:
    """Intake, then the client chooses the cash with a first plan; the choice page's path."""
    r = _post(c, "/web/intake", {**INTAKE, "client_ref": ref, "action": "propose"})
    assert r.status_code == 303, r.text
    list_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    r = _post(
        c,
        f"/web/options/{list_id}/choose",
        {"decision": "chosen", "step": "confirm", "option": ["cash"], "plan:housing": "5000"},
    )
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_choosing_cash_leads_to_the_schedule_and_a_payment_is_recorded_with_its_proof(site):
    c = site.browser("cw-a")
    chosen = c.get(_chose_cash(c, "c-cash-1")).text
    assert 'href="/web/clients/c-cash-1/cash' in chosen
    page = c.get("/web/clients/c-cash-1/cash")
    assert page.status_code == 200
    assert page.text.count('class="transfer status-') == 3  # three monthly transfers
    assert "27,000 Thai baht" in page.text  # still due, exact, with the currency in words
    transfer = c.get("/clients/c-cash-1/transfers").json()["transfers"][0]  # as the API serves it
    assert transfer["status"] == "due" and transfer["amount"] == "9000.00"
    form_path = f"/web/transfers/{transfer['id']}/payment"
    assert f'href="{form_path}"' in page.text

    # refused: no proof, more than scheduled, a date to come; each next to its field, nothing stored
    r = _post(
        c,
        form_path,
        {"paid_on": (TODAY + dt.timedelta(days=3)).isoformat(), "amount": "9000.001", "reference": ""},
    )
    assert r.status_code == 422
    errors = dict(re.findall(r'<span class="field-error" id="err-([a-z_]+)">([^<]+)</span>', r.text))
    assert set(errors) == {"paid_on", "amount", "reference"}
    assert "more than 2 decimal places" in errors["amount"] and "proof" in errors["reference"]
    assert 'aria-invalid="true"' in r.text
    r = _post(c, form_path, {"paid_on": TODAY.isoformat(), "amount": "9500", "reference": "MM-1"})
    assert r.status_code == 422 and "more than the 9000.00" in r.text
    assert c.get("/clients/c-cash-1/transfers").json()["transfers"][0]["payment"] is None

    # a form without its token is refused
    bare = c.post(form_path, data={"paid_on": TODAY.isoformat(), "amount": "8999.50", "reference": "MM-778812"})
    assert bare.status_code == 403

    r = _post(
        c,
        form_path,
        {"paid_on": TODAY.isoformat(), "amount": "8999.50", "method": "mobile_money", "reference": "MM-778812"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/web/clients/c-cash-1/cash?paid=1"
    paid = c.get("/clients/c-cash-1/transfers").json()
    assert paid["paid"] == "8999.50" and paid["due"] == "18000.00"  # exact decimals
    payment = paid["transfers"][0]["payment"]
    assert payment["reference"] == "MM-778812" and payment["method"] == "mobile_money"
    assert payment["recorded_by"] == site.people["cw-a"]  # the signed-in person, not a shared key
    assert "MM-778812" in c.get("/web/clients/c-cash-1/cash").text
    with site.app.state.freechoice.db.session() as s:  # each read and the write audited under the person
        seen = set(
            s.execute(
                select(AuditEntry.action, AuditEntry.resource).where(
                    AuditEntry.client_ref == "c-cash-1", AuditEntry.person_id == site.people["cw-a"]
                )
            ).all()
        )
    assert {("create", "payment"), ("read", "transfer"), ("create", "transfer_schedule")} <= seen
    # never paid twice
    again = _post(c, form_path, {"paid_on": TODAY.isoformat(), "amount": "1", "reference": "MM-2"})
    assert again.status_code == 422 and "already paid" in again.text


def test_the_board_shows_late_and_missed_transfers_of_the_organisation(site):
    c = site.browser("cw-a")
    _chose_cash(c, "c-cash-board")
    later = (TODAY + dt.timedelta(days=45)).isoformat()
    board = c.get(f"/web/transfers?as_of={later}").text
    mine = re.findall(r'<li class="transfer status-(\w+)">\s*<a href="/web/clients/c-cash-board/cash">', board)
    # transfer 1 (45 days ago) is missed, transfer 2 (about two weeks ago) is late
    assert sorted(mine) == ["late", "missed"]
    assert "days overdue" in board
    assert "c-cash-board" not in c.get(f"/web/transfers?as_of={TODAY.isoformat()}").text  # nothing late yet
    everything = c.get(f"/web/transfers?show=all&as_of={TODAY.isoformat()}").text
    assert re.search(r'status-due">\s*<a href="/web/clients/c-cash-board/cash"', everything)
    # another organisation's board does not show them
    assert "c-cash-board" not in site.browser("cw-b").get(f"/web/transfers?as_of={later}&show=all").text


def test_the_spending_plan_is_saved_as_new_versions_and_refused_over_what_is_paid_and_due(site):
    c = site.browser("cw-a")
    _chose_cash(c, "c-cash-plan")
    page = c.get("/web/clients/c-cash-plan/plan")
    assert page.status_code == 200
    # the client's ranked needs, highest first; the plan made at the choice is version 1
    assert re.findall(r'id="line-(\w+)"', page.text) == ["compensation", "housing", "food"]
    # the client reads the plan in their language (Burmese here)
    assert 'value="5000.00"' in page.text and translator("my")("Version %(n)s", n=1) in page.text
    assert 'lang="my"' in page.text  # the notes are in the client's language
    over = _post(c, "/web/clients/c-cash-plan/plan", {"amount:housing": "20000", "amount:food": "8000"})
    assert over.status_code == 422
    assert re.search(r'<span class="field-error" id="err-lines">[^<]*more than the[^<]*27,000\.00 THB', over.text)
    assert 'value="20000"' in over.text  # what was typed comes back
    bad = _post(c, "/web/clients/c-cash-plan/plan", {"amount:food": "0.1.2"})
    assert bad.status_code == 422 and 'id="err-food.amount"' in bad.text
    assert len(c.get("/clients/c-cash-plan/spending-plan/history").json()["versions"]) == 1
    ok = _post(
        c,
        "/web/clients/c-cash-plan/plan",
        {"amount:housing": "15000", "note:housing": "အခန်းငှား", "amount:food": "6000.50"},
    )
    assert ok.status_code == 303
    versions = c.get("/clients/c-cash-plan/spending-plan/history").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["total"] == "21000.50" and versions[1]["language"] == "my"
    assert versions[1]["lines"][0] == {"need": "housing", "amount": "15000.00", "note": "အခန်းငှား"}
    assert versions[1]["created_by"] == site.people["cw-a"]
    shown = c.get(ok.headers["location"]).text
    v = translator("my")
    assert v("Version %(n)s", n=2) in shown and v("Version %(n)s", n=1) in shown and "အခန်းငှား" in shown


def test_a_follow_up_is_recorded_and_the_journey_shows_how_priorities_changed(site):
    c = site.browser("cw-a")
    _chose_cash(c, "c-cash-fu")
    month = (TODAY + dt.timedelta(days=31)).isoformat()
    due = c.get(f"/web/follow-ups?as_of={month}").text
    assert 'href="/web/clients/c-cash-fu/follow-up"' in due and "month 1" in due
    form = c.get("/web/clients/c-cash-fu/follow-up")
    assert form.status_code == 200 and form.text.count('class="need" id="rank-') == 21
    assert re.search(r'name="rank:housing" value="4"\s+checked', form.text)  # the ranking as it stands
    base = {"on": TODAY.isoformat(), "rank:housing": "4", "rank:compensation": "4", "rank:food": "3"}
    bad = _post(c, "/web/clients/c-cash-fu/follow-up", {**base, "spent:housing": "lots", "outcome:food": "great"})
    assert bad.status_code == 422
    assert 'id="err-spent.housing"' in bad.text and 'id="err-outcomes.food"' in bad.text
    assert c.get("/clients/c-cash-fu/follow-ups").json()["items"] == []
    ok = _post(
        c,
        "/web/clients/c-cash-fu/follow-up",
        {
            **base,
            "rank:food": "",
            "rank:employment": "4",  # re-ranked: work comes first now, food no longer ranked
            "spent:housing": "4000",
            "outcome:housing": "met",
            "outcome:compensation": "not_yet",
            "words": "ห้องดี อยากได้งาน",
            "note": "Room found.",
            "satisfaction": "4",
            "would_recommend": "yes",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/web/clients/c-cash-fu/journey")
    fu = c.get("/clients/c-cash-fu/follow-ups").json()["items"][0]  # what the API stored
    assert fu["spent"] == {"housing": "4000"} or fu["spent"] == {"housing": "4000.00"}
    assert fu["outcomes"] == {"housing": "met", "compensation": "not_yet"}
    assert fu["needs"] == {"housing": 4, "compensation": 4, "employment": 4} and fu["assessment_id"]
    assert fu["satisfaction"] == 4 and fu["would_recommend"] is True
    journey = c.get(ok.headers["location"]).text
    assert '<svg class="journey"' in journey and 'role="img"' in journey
    assert "ranked again" in journey and "ห้องดี อยากได้งาน" in journey
    met = translator("my")("%(met)s of the %(all)s most important needs met.", met=1, all=3)
    assert met in journey  # {% trans %}: the client's language
    steps = c.get("/clients/c-cash-fu/journey").json()["steps"]
    assert [s["top_needs_met"] for s in steps] == [0, 1]


def test_another_organisations_client_answers_404_on_every_cash_page(site):
    a = site.browser("cw-a")
    _chose_cash(a, "c-cash-private")
    transfer_id = a.get("/clients/c-cash-private/transfers").json()["transfers"][0]["id"]
    b = site.browser("cw-b")
    for path in (
        "/web/clients/c-cash-private/cash",
        "/web/clients/c-cash-private/plan",
        "/web/clients/c-cash-private/follow-up",
        "/web/clients/c-cash-private/journey",
        f"/web/transfers/{transfer_id}/payment",
    ):
        r = b.get(path)
        assert r.status_code == 404, path
        main = r.text[r.text.index("<main") : r.text.index("</main>")]
        assert "There is no such" in main and "c-cash-private" not in main
    token = csrf_of(b.get("/web/").text)
    r = b.post(
        f"/web/transfers/{transfer_id}/payment",
        data={"csrf_token": token, "paid_on": TODAY.isoformat(), "amount": "1", "reference": "X"},
    )
    assert r.status_code == 404
    r = b.post("/web/clients/c-cash-private/plan", data={"csrf_token": token, "amount:housing": "1"})
    assert r.status_code == 404
    r = b.post("/web/clients/c-cash-private/follow-up", data={"csrf_token": token, "on": TODAY.isoformat()})
    assert r.status_code == 404
    assert a.get("/clients/c-cash-private/transfers").json()["paid"] == "0.00"
    assert a.get("/clients/c-cash-private/follow-ups").json()["items"] == []


def test_the_donor_report_is_exported_by_a_manager_and_audited(site):
    a = site.browser("cw-a")
    _chose_cash(a, "c-cash-donor")
    assert a.get("/web/reports/donor").status_code == 403  # a caseworker's page it is not
    m = site.browser("manager")
    page = m.get("/web/reports/donor")
    assert page.status_code == 200 and 'value="org-cw-a"' in page.text
    period = {"office": "org-cw-a", "from": (TODAY - dt.timedelta(days=1)).isoformat(), "to": TODAY.isoformat()}
    bad = _post(m, "/web/reports/donor", {**period, "to": "last week", "format": "csv"})
    assert bad.status_code == 422 and 'id="err-to"' in bad.text
    backwards = _post(m, "/web/reports/donor", {**period, "from": TODAY.isoformat(), "to": "2020-01-01"})
    assert backwards.status_code == 422 and "ends before it starts" in backwards.text
    assert m.post("/web/reports/donor", data={**period, "format": "csv"}).status_code == 403  # no token
    csv = _post(m, "/web/reports/donor", {**period, "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "9000.00" in csv.text and "Songkhla" not in csv.text  # no place below the province
    html = _post(m, "/web/reports/donor", {**period, "format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<table" in html.text and "default-src 'none'" in html.headers["content-security-policy"]
    with site.app.state.freechoice.db.session() as s:
        exports = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.person_id == site.people["manager"])
        ).all()
    assert len(exports) == 2


def test_a_follow_up_records_what_came_of_each_referral(site):
    c = site.browser("cw-a")
    r = _post(c, "/web/intake", {**INTAKE, "client_ref": "c-cash-ref", "action": "propose"})
    list_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    choose = c.get(f"/web/options/{list_id}/choose").text
    service = next(o for o in re.findall(r'name="option" value="([^"]+)"', choose) if o != "cash")
    r = _post(
        c, f"/web/options/{list_id}/choose", {"decision": "chosen", "step": "confirm", "option": ["cash", service]}
    )
    assert r.status_code == 303
    choice_id = r.headers["location"].rsplit("/", 1)[1]
    with site.app.state.freechoice.db.session() as s:
        row = s.scalars(select(ReferralRow).where(ReferralRow.choice_id == choice_id)).one()
        referral = {"id": row.id, "provider_id": row.provider_id, "service_id": row.service_id}
    referral["service_name"] = site.app.state.freechoice.current_catalog().service(row.service_id).name
    form = c.get("/web/clients/c-cash-ref/follow-up").text
    assert f'name="referral:{referral["id"]}" value="helped"' in form
    assert referral["service_name"] in form  # the service by its name, not an id
    base = {"on": TODAY.isoformat(), "rank:housing": "4", "rank:compensation": "4", "rank:food": "3"}
    ok = _post(c, "/web/clients/c-cash-ref/follow-up", {**base, f"referral:{referral['id']}": "partly_helped"})
    assert ok.status_code == 303
    fu = c.get("/clients/c-cash-ref/follow-ups").json()["items"][0]
    assert fu["referral_outcomes"] == [
        {"referral_id": referral["id"], "provider_id": referral["provider_id"], "outcome": "partly_helped"}
    ]
    assert fu["needs"] is None  # the ranking was left as it was: no re-ranking stored
    bad = _post(c, "/web/clients/c-cash-ref/follow-up", {**base, f"referral:{referral['id']}": "wonderful"})
    assert bad.status_code == 422
    assert re.search(rf'id="err-referral\.{referral["id"]}">[^<]*helped', bad.text)  # next to it, with the allowed


def test_the_cash_pages_words_are_extractable_for_translation():
    from freechoice.api.web.i18n import page_messages

    found = {message for message, _ in page_messages()}
    for expected in (
        "Transfers board",  # a template's _()
        "Record the payment of transfer %(n)s",  # a {% trans %} block
        "no longer a priority",  # N_() in Python
        "How the client's priorities and outcomes changed",  # the journey drawing's title
        "Download CSV",
    ):
        assert expected in found, expected


def test_the_journey_drawing_has_a_cell_per_need_and_step_and_a_title():
    from freechoice.api.web.followup_pages import journey_svg
    from freechoice.api.web.i18n import translator

    steps = [
        {"step": 0, "on": "2026-01-05", "needs": {"housing": 4, "food": 2}, "outcomes": {}},
        {"step": 1, "on": "2026-02-05", "needs": {"employment": 4, "housing": 3}, "outcomes": {"housing": "met"}},
    ]
    svg = str(journey_svg(steps, translator("en")))
    assert svg.count("<rect ") == 3 * 2  # three needs ranked at some point, two steps
    assert 'role="img"' in svg and '<title id="journey-title">How the client&#39;s priorities' in svg
    assert 'fill="#1d6b2f"' in svg  # housing met at the follow-up
    assert ">A place to stay<" in svg and ">Start<" in svg
