"""Referrals, client feedback, the partner portal and the dashboard as pages: the same
rules as the API (lifecycle and 409s, consent, 404 for another organisation's objects,
CSRF on every form), over real HTTP on a real database."""

from __future__ import annotations

import copy
import re
from typing import Any

import orjson
import pytest
from api_support import ASSESSMENT, PARTNER_X
from web_support import csrf_of

from freechoice.api.auth import create_key
from freechoice.api.web.i18n import translator
from freechoice.catalog import Service
from freechoice.catalog.hsds import export_service


def _key(site: Any, org: str, role: str) -> dict[str, str]:
    with site.app.state.freechoice.db.writing() as s:
        token = create_key(s, org, role, created_by="test")[1]
    return {"Authorization": f"Bearer {token}"}


def _referral(site: Any, client_ref: str, *, send: bool = True, consent: list[str] | None = None) -> str:
    """A referral of org-cw-a's client to PARTNER_X, made over the API."""
    cw = _key(site, "org-cw-a", "caseworker")
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = client_ref
    ol = site.client.post("/option-lists", json=body, headers=cw).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o["provider_id"] == PARTNER_X)
    choice = {"option_ids": [option["option_id"]], "consent": {option["option_id"]: consent or []}}
    made = site.client.post(f"/option-lists/{ol['id']}/choices", json=choice, headers=cw)
    assert made.status_code == 201, made.text
    ref_id: str = made.json()["referrals"][0]["id"]
    if send:
        assert site.client.post(f"/referrals/{ref_id}/transitions", json={"to": "sent"}, headers=cw).status_code == 200
    return ref_id


def _move(browser: Any, ref_id: str, to: str, reason: str = "", token: str | None = None) -> Any:
    page = browser.get(f"/web/referrals/{ref_id}")
    data = {"to": to, "reason": reason, "csrf_token": csrf_of(page.text) if token is None else token}
    return browser.post(f"/web/referrals/{ref_id}/move", data=data, follow_redirects=False)


def test_the_partner_inbox_shows_only_what_was_shared_and_moves_follow_the_lifecycle(site):
    ref_id = _referral(site, "c-web-inbox-1", consent=["languages"])
    partner = site.browser("partner-x")
    inbox = partner.get("/web/referrals")
    assert inbox.status_code == 200 and f"/web/referrals/{ref_id}" in inbox.text
    detail = partner.get(f"/web/referrals/{ref_id}").text
    assert "c-web-inbox-1" in detail and "Languages" in detail and "မြန်မာ" in detail
    assert "confiscated" not in detail and "Nationality" not in detail and "Where now" not in detail
    assert _move(partner, ref_id, "completed").status_code == 409  # not from sent: the API's 409
    assert "This move is not possible now" in _move(partner, ref_id, "completed").text
    refused = _move(partner, ref_id, "declined")  # a decline needs a reason
    assert refused.status_code == 422 and "reason" in refused.text
    assert _move(partner, ref_id, "accepted").status_code == 303
    assert _move(partner, ref_id, "in_progress").status_code == 303
    assert _move(partner, ref_id, "completed").status_code == 303
    cw = _key(site, "org-cw-a", "caseworker")
    history = site.client.get(f"/referrals/{ref_id}", headers=cw).json()["history"]
    assert [h["to"] for h in history] == ["draft", "sent", "accepted", "in_progress", "completed"]
    board = site.browser("cw-a").get("/web/referrals").text
    done = board.split("Done", 1)[1]
    assert f"/web/referrals/{ref_id}" in done.split("Declined or closed", 1)[0]


def test_a_decline_with_a_reason_and_the_caseworkers_close(site):
    declined, closed = _referral(site, "c-web-inbox-2"), _referral(site, "c-web-inbox-3")
    partner, cw = site.browser("partner-x"), site.browser("cw-a")
    assert _move(partner, declined, "declined", "No lawyer free this month").status_code == 303
    assert "No lawyer free this month" in cw.get(f"/web/referrals/{declined}").text
    assert _move(cw, closed, "accepted").status_code == 409  # the partner's move, not the caseworker's
    assert _move(cw, closed, "closed", "The client changed their mind").status_code == 303


def test_forms_without_their_csrf_token_are_refused(site):
    ref_id = _referral(site, "c-web-csrf")
    partner = site.browser("partner-x")
    assert _move(partner, ref_id, "accepted", token="").status_code == 403
    assert _move(partner, ref_id, "accepted", token="forged").status_code == 403
    cw = _key(site, "org-cw-a", "caseworker")
    assert site.client.get(f"/referrals/{ref_id}", headers=cw).json()["status"] == "sent"
    for path in ("/web/services-import", "/web/services/svc-songkhla-wage-claim/capacity"):
        assert partner.post(path, data={"status": "full"}).status_code == 403


def test_another_organisations_referral_or_service_is_not_found(site):
    ref_id = _referral(site, "c-web-404")
    draft = _referral(site, "c-web-404-draft", send=False)
    assert site.browser("cw-b").get(f"/web/referrals/{ref_id}").status_code == 404
    cw_b = site.browser("cw-b")
    assert _move(cw_b, ref_id, "closed", "x", token=csrf_of(cw_b.get("/web/referrals").text)).status_code == 404
    assert "c-web-404" not in cw_b.get("/web/referrals").text
    partner = site.browser("partner-x")
    assert partner.get(f"/web/referrals/{draft}").status_code == 404  # a draft is not sent to anyone yet
    other = "svc-bangkok-labour-court"  # a real service of another organisation
    assert site.client.get(f"/services/{other}", headers=_key(site, "org-cw-a", "caseworker")).status_code == 200
    assert partner.get(f"/web/services/{other}").status_code == 404
    form = partner.get("/web/services/svc-songkhla-wage-claim")
    edit = {"csrf_token": csrf_of(form.text), "version": "1", "name": "Taken over", "kinds": ["legal_aid.wage_claim"]}
    assert partner.post(f"/web/services/{other}", data=edit).status_code == 404
    assert partner.post(f"/web/services/{other}/capacity", data={**edit, "status": "full"}).status_code == 404
    assert site.browser("manager").get("/web/referrals").status_code == 403


def test_feedback_through_a_single_use_link_then_the_link_says_it_was_used(site):
    ref_id = _referral(site, "c-web-feedback")
    cw = site.browser("cw-a")
    page = cw.get(f"/web/referrals/{ref_id}").text
    issued = cw.post(f"/web/referrals/{ref_id}/feedback-link", data={"csrf_token": csrf_of(page), "lang": "km"})
    assert issued.status_code == 200 and '<svg role="img"' in issued.text
    link = re.search(r'href="(http[^"]+/web/feedback/fbt_[^"]+)"', issued.text).group(1)
    assert link.endswith("?lang=km")  # the form opens in the client's language
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = site.browser()  # the client's own phone: nobody signed in
    form = client.get(f"/{path}")
    assert form.status_code == 200 and 'lang="km"' in form.text
    assert 'action="/web/feedback/fbt_' in form.text and '?lang=km"' in form.text
    answer = {"need_met": "partly", "satisfaction": "4", "would_recommend": "yes", "text": "ok"}
    assert client.post(f"/{path}", data={**answer, "csrf_token": ""}).status_code == 403
    missing = client.post(f"/{path}", data={"need_met": "yes", "csrf_token": csrf_of(form.text)})
    # the form speaks Khmer, its problems too
    assert missing.status_code == 422 and translator("km")("Please choose one.") in missing.text
    given = client.post(f"/{path}", data={**answer, "csrf_token": csrf_of(form.text)})
    assert given.status_code == 201 and translator("km")("Thank you") in given.text
    again = client.get(f"/{path}")
    used = translator("km")("This feedback link has already been used. Thank you: your feedback is recorded.")
    assert again.status_code == 409 and used in again.text
    twice = client.post(f"/{path}", data={**answer, "csrf_token": csrf_of(form.text)})
    assert twice.status_code == 409 and used in twice.text
    assert client.get("/web/feedback/fbt_" + "Z" * 24).status_code == 404
    # the caseworker's phone: this referral's feedback is in, so a second is refused
    in_person = cw.get(f"/web/referrals/{ref_id}/feedback?lang=my")
    assert '<div class="narrow" lang="my">' in in_person.text
    again = cw.post(f"/web/referrals/{ref_id}/feedback", data={**answer, "csrf_token": csrf_of(in_person.text)})
    assert again.status_code == 409


def test_the_portal_edits_a_service_its_capacity_and_imports_an_hsds_file(site):
    partner = site.browser("partner-x")
    listing = partner.get("/web/services")
    assert listing.status_code == 200 and "svc-songkhla-wage-claim" in listing.text
    form = partner.get("/web/services/svc-songkhla-wage-claim")
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    fields = {
        "csrf_token": csrf_of(form.text),
        "version": version,
        "name": "Unpaid wage claims, Songkhla office (fictional)",
        "description": "Lawyers help you claim the wages you are owed.",
        "kinds": ["legal_aid.wage_claim"],
        "languages": "my, th",
        "country": "TH",
        "area": "Songkhla",
        "reports_to_authorities": "never",
    }
    saved = partner.post("/web/services/svc-songkhla-wage-claim", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    key = _key(site, PARTNER_X, "partner")
    stored = site.client.get("/services/svc-songkhla-wage-claim", headers=key).json()
    assert stored["name"] == fields["name"] and stored["version"] == int(version) + 1
    stale = partner.post("/web/services/svc-songkhla-wage-claim", data=fields)  # the version read before
    assert stale.status_code == 412 and "changed this service" in stale.text
    cap = partner.get("/web/services/svc-songkhla-wage-claim")
    version = re.search(r'name="version" value="(\d+)"', cap.text).group(1)
    full = partner.post(
        "/web/services/svc-songkhla-wage-claim/capacity",
        data={"csrf_token": csrf_of(cap.text), "version": version, "status": "full", "until": "2027-03-01"},
        follow_redirects=False,
    )
    assert full.status_code == 303
    capacity = site.client.get("/services/svc-songkhla-wage-claim", headers=key).json()["capacity"]
    assert (capacity["status"], capacity["until"]) == ("full", "2027-03-01")
    blank = partner.get("/web/services/new")
    register = {
        "csrf_token": csrf_of(blank.text),
        "id": "svc-x-registered",
        "name": "Wage advice by phone (fictional)",
        "kinds": ["legal_aid.information"],
        "languages": "my",
        "country": "TH",
        "area": "Ranong",
        "reports_to_authorities": "never",
    }
    made = partner.post("/web/services/new", data=register, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/web/services/svc-x-registered?saved=1", made.text
    assert site.client.get("/services/svc-x-registered", headers=key).json()["organization_id"] == PARTNER_X
    again = partner.post("/web/services/new", data=register)
    assert again.status_code == 409 and "exists" in again.text
    no_kind = partner.post("/web/services/new", data={**register, "id": "svc-x-nokind", "kinds": []})
    assert no_kind.status_code == 422 and "kinds" in no_kind.text
    new = Service(
        id="svc-x-upload",
        organization_id=PARTNER_X,
        name="Wage claim clinic by upload (fictional)",
        kinds=["legal_aid.wage_claim"],
        location={"country": "TH", "area": "Ranong"},
        languages=["my"],
    )
    upload = partner.get("/web/services-import")
    document = orjson.dumps([export_service(new)])
    report = partner.post(
        "/web/services-import",
        data={"csrf_token": csrf_of(upload.text)},
        files={"file": ("directory.json", document, "application/json")},
    )
    assert report.status_code == 200 and "Import report" in report.text, report.text
    assert "Wage claim clinic by upload (fictional)" in partner.get("/web/services").text
    broken = partner.post(
        "/web/services-import",
        data={"csrf_token": csrf_of(upload.text)},
        files={"file": ("directory.json", b"{not json", "application/json")},
    )
    assert broken.status_code == 422 and "nothing was changed" in broken.text


def test_the_dashboard_draws_each_chart_with_its_table_and_csv(site):
    for i in range(5):
        _referral(site, f"c-web-dash-{i}", send=i < 3)
    manager = site.browser("manager")
    page = manager.get("/web/dashboard", params={"office": "org-cw-a"})
    assert page.status_code == 200
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 4
    assert page.text.count("<title id=") == 4 and page.text.count("<caption>") >= 5
    assert "Compensation" in page.text or "compensation" in page.text.lower()
    csv = manager.get("/web/dashboard/needs-ranked-4.csv", params={"office": "org-cw-a"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "need,clients_ranking_4,share,with_option,share_with_option,hidden" and len(lines) == 22
    assert any(line.startswith("compensation,") and ",1.0," in line for line in lines)
    measures = manager.get("/kpis", params={"organization_id": "org-cw-a", "min_group": 5}).json()["measures"]
    assert measures and "Measures of empowerment" in page.text
    for m in measures.values():  # each measure with its definition, as the API gives it
        assert m["definition"].replace("'", "&#39;") in page.text
    rows = manager.get("/web/dashboard/measures.csv", params={"office": "org-cw-a"}).text.splitlines()
    assert rows[0] == "measure,group,clients,value,suppressed" and {r.split(",")[0] for r in rows[1:]} == set(measures)
    assert manager.get("/web/dashboard/nope.csv").status_code == 404
    assert manager.get("/web/dashboard", params={"office": "org-nope"}).status_code == 404
    assert site.browser("cw-a").get("/web/dashboard").status_code == 403


def test_empowerment_measures_show_their_definition_and_hide_small_groups():
    from freechoice.api.web.dashboard import build_measures, measures_csv_rows
    from freechoice.api.web.i18n import translator

    summary = {
        "measures": {
            "top_needs_met": {
                "name": "top_needs_met",
                "definition": "Of the needs at each client's highest priority, the share the client says are met.",
                "clients": 12,
                "value": 0.625,
                "suppressed": False,
                "groups": [
                    {"group": "1", "clients": 12, "value": 0.5, "suppressed": False},
                    {"group": "2", "clients": 3, "value": None, "suppressed": True},
                ],
            }
        }
    }
    (m,) = build_measures(summary, translator("en"))
    assert (m["title"], m["clients"], m["value"]) == ("Top needs met", "12", "0.62")
    assert m["groups"] == [["1", "12", "0.5"], ["2", "3", "too few clients to show"]]
    rows = measures_csv_rows(summary)
    assert rows[0] == ["top_needs_met", "", 12, "0.62", False] and rows[2] == ["top_needs_met", "2", 3, None, True]
    assert build_measures({}, translator("en")) == []


def test_the_access_log_never_holds_a_clients_feedback_code(tmp_path, caplog):
    import logging

    from fastapi.testclient import TestClient

    from freechoice.api import Settings, create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'fc.db'}", access_log=True, log_format="inherit"))
    code = "fbt_" + "Q" * 24
    with caplog.at_level(logging.INFO), TestClient(app) as client:
        assert client.get(f"/web/feedback/{code}").status_code == 404
    lines = [r for r in caplog.records if getattr(r, "route", None) == "/web/feedback/{token}"]
    assert lines and all(code not in r.getMessage() and code not in str(r.__dict__) for r in lines)


def test_a_signed_in_programme_manager_reads_the_same_figures_over_the_api(site):
    manager = site.browser("manager")
    page = manager.get("/web/dashboard", params={"office": "org-cw-a"})
    figures = manager.get("/kpis/figures", params={"organization_id": "org-cw-a"})
    kpis = manager.get("/kpis", params={"organization_id": "org-cw-a"})
    assert figures.status_code == 200 and kpis.status_code == 200, (figures.text, kpis.text)
    assert f"<td>{figures.json()['clients']}</td>" in page.text
    assert site.browser("partner-x").get("/kpis/figures").status_code == 403


@pytest.mark.skipif("translations" not in Service.model_fields, reason="services carry no translations yet")
def test_the_portal_keeps_a_services_words_in_the_clients_languages(site):
    partner = site.browser("partner-x")
    form = partner.get("/web/services/svc-trang-wage-claim")
    assert 'name="name_my"' in form.text and 'lang="km"' in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    stored = site.client.get("/services/svc-trang-wage-claim", headers=_key(site, PARTNER_X, "partner")).json()
    fields = {
        "csrf_token": csrf_of(form.text),
        "version": version,
        "name": stored["name"],
        "description": stored.get("description") or "",
        "kinds": stored["kinds"],
        "languages": ", ".join(stored.get("languages") or []),
        "country": (stored.get("location") or {}).get("country", ""),
        "area": (stored.get("location") or {}).get("area") or "",
        "reports_to_authorities": stored.get("reports_to_authorities", "never"),
        "translation_langs": ["km", "lo", "my", "th"],
        "name_my": "လုပ်ခ တောင်းဆိုမှု (Trang)",
        "provenance_my": "Typed by the partner's Burmese-speaking staff (fictional)",
        "provenance_th": "a provenance alone is no translation",
    }
    saved = partner.post("/web/services/svc-trang-wage-claim", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    after = site.client.get("/services/svc-trang-wage-claim", headers=_key(site, PARTNER_X, "partner")).json()
    assert after["translations"]["my"]["name"] == "လုပ်ခ တောင်းဆိုမှု (Trang)"
    assert "Burmese-speaking" in after["translations"]["my"]["provenance"] and "th" not in after["translations"]
    assert "လုပ်ခ တောင်းဆိုမှု (Trang)" in partner.get("/web/services/svc-trang-wage-claim").text
