"""Referrals, feedback, the partner portal and the dashboard in a real browser (Debian's
Chromium through Playwright, 360 px wide): the flows work without script, axe-core finds
no serious or critical violation, and each page is kept as a screenshot in
test-artefacts/web-<page>-<lang>.png."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import ASSESSMENT, PARTNER_X
from web_support import LiveServer, axe_violations, browser_sign_in, seed_people

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.api.web.i18n import translator
from freechoice.catalog import Service
from freechoice.catalog.hsds import export_service

pytestmark = pytest.mark.browser
LANGS = ("en", "my", "km")


class Live:
    """The shared live server, with the app (to make API keys) and an API helper."""

    def __init__(self, app: Any, url: str) -> None:
        self.app, self.url = app, url

    def api(self, method: str, path: str, key: str, **kw: Any) -> Any:
        import httpx

        r = httpx.request(method, self.url + path, headers={"Authorization": f"Bearer {key}"}, timeout=60, **kw)
        assert r.status_code < 300, r.text
        return r.json()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    db = tmp_path_factory.mktemp("live") / "freechoice.db"
    app = create_app(
        Settings(database_url=f"sqlite:///{db}", load_sample=True, catalog_check_seconds=0, access_log=False)
    )
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with LiveServer(app) as server:
        yield Live(app, server.url)


def _key(live: Live, org: str, role: str) -> str:
    with live.app.state.freechoice.db.writing() as s:
        return create_key(s, org, role, created_by="test")[1]


def _sent_referral(live: Live, client_ref: str) -> str:
    cw = _key(live, "org-cw-a", "caseworker")
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = client_ref
    ol = live.api("POST", "/option-lists", cw, json=body)
    option = next(o for n in ol["needs"] for o in n["options"] if o["provider_id"] == PARTNER_X)
    choice = {"option_ids": [option["option_id"]], "consent": {option["option_id"]: ["languages"]}}
    ref_id: str = live.api("POST", f"/option-lists/{ol['id']}/choices", cw, json=choice)["referrals"][0]["id"]
    live.api("POST", f"/referrals/{ref_id}/transitions", cw, json={"to": "sent"})
    return ref_id


def _sign_in(page: Any, live: Live, username: str) -> None:
    browser_sign_in(page, live.url, username)


def _accessible(page: Any) -> None:
    assert axe_violations(page) == [], page.url


def _shots(page: Any, live: Live, artefacts: Path, name: str, path: str) -> None:
    """The page in each language: checked with axe-core and kept as a 360 px screenshot."""
    for lang in LANGS:
        page.goto(f"{live.url}/web/language?lang={lang}&next={path}")
        assert page.locator("html").get_attribute("lang") == lang
        _accessible(page)
        page.screenshot(path=str(artefacts / f"web-{name}-{lang}.png"), full_page=True)
    page.goto(f"{live.url}/web/language?lang=en&next={path}")


def test_the_partner_accepts_a_referral_in_the_inbox(live: Live, page: Any, artefacts: Path) -> None:
    ref_id = _sent_referral(live, "c-browser-1")
    _sign_in(page, live, "partner-x")
    page.goto(f"{live.url}/web/referrals")
    _shots(page, live, artefacts, "inbox", "/web/referrals")
    page.click(f"a[href='/web/referrals/{ref_id}']")
    assert page.get_by_text("c-browser-1").count() >= 1
    _shots(page, live, artefacts, "referral", f"/web/referrals/{ref_id}")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(f"{live.url}/web/referrals/{ref_id}")
    assert page.get_by_role("button", name="Started").count() == 1
    cw = _key(live, "org-cw-a", "caseworker")
    assert live.api("GET", f"/referrals/{ref_id}", cw)["status"] == "accepted"


def test_feedback_through_a_single_use_link_is_refused_the_second_time(
    live: Live, browser: Any, page: Any, artefacts: Path
) -> None:
    ref_id = _sent_referral(live, "c-browser-2")
    _sign_in(page, live, "cw-a")
    page.goto(f"{live.url}/web/referrals")
    _shots(page, live, artefacts, "referrals", "/web/referrals")
    page.goto(f"{live.url}/web/referrals/{ref_id}")
    page.select_option("#fb-lang", "my")  # the client's language
    page.get_by_role("button", name="Make a feedback link for the client").click()
    assert page.locator("svg.qr").count() == 1
    _accessible(page)
    page.screenshot(path=str(artefacts / "web-feedback-link-en.png"), full_page=True)
    link = page.locator("a.link-text").get_attribute("href")
    assert link.endswith("?lang=my")
    phone = browser.new_context(viewport={"width": 360, "height": 780})
    client = phone.new_page()
    try:
        for lang in LANGS:  # the same link in each language (the QR code carries the client's)
            client.goto(link.replace("?lang=my", f"?lang={lang}"))
            question = client.locator("fieldset legend").first.inner_text()
            assert (question == "Did this help with what you needed?") == (lang == "en"), (lang, question)
            _accessible(client)
            client.screenshot(path=str(artefacts / f"web-feedback-{lang}.png"), full_page=True)
        client.goto(link)
        client.check("input[name=need_met][value=yes]", force=True)
        client.check("input[name=satisfaction][value='5']", force=True)
        client.locator("form[method=post] button[type=submit]").last.click()
        assert client.locator("[role=status]").count() == 1
        client.goto(link)
        used = "This feedback link has already been used. Thank you: your feedback is recorded."
        assert translator("my")(used) in client.content()  # in the client's language
    finally:
        phone.close()


def test_the_portal_edits_a_service_and_uploads_an_hsds_file(
    live: Live, page: Any, artefacts: Path, tmp_path: Path
) -> None:
    _sign_in(page, live, "partner-x")
    page.goto(f"{live.url}/web/services")
    _shots(page, live, artefacts, "services", "/web/services")
    page.goto(f"{live.url}/web/services/svc-ranong-rights-info")
    _shots(page, live, artefacts, "service", "/web/services/svc-ranong-rights-info")
    page.fill("#svc-name", "Workers' rights information, Ranong (fictional)")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.locator("[role=status]").count() == 1
    assert page.locator("h1").inner_text() == "Workers' rights information, Ranong (fictional)"
    new = Service(
        id="svc-browser-upload",
        organization_id=PARTNER_X,
        name="Wage clinic from a file (fictional)",
        kinds=["legal_aid.wage_claim"],
        location={"country": "TH", "area": "Ranong"},
    )
    import orjson

    file = tmp_path / "directory.json"
    file.write_bytes(orjson.dumps([export_service(new)]))
    page.goto(f"{live.url}/web/services-import")
    page.set_input_files("#hsds-file", str(file))
    page.get_by_role("button", name="Upload and import").click()
    assert page.get_by_role("heading", name="Import report").count() == 1
    _accessible(page)
    page.screenshot(path=str(artefacts / "web-hsds-report-en.png"), full_page=True)


def test_the_dashboard_renders_charts_with_tables_and_csv(live: Live, page: Any, artefacts: Path) -> None:
    for i in range(5):
        _sent_referral(live, f"c-browser-dash-{i}")
    _sign_in(page, live, "manager")
    page.goto(f"{live.url}/web/dashboard?office=org-cw-a")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart title").count() == 4
    _shots(page, live, artefacts, "dashboard", "/web/dashboard?office=org-cw-a")
    with page.expect_download() as got:
        page.locator("a[href^='/web/dashboard/needs-ranked-4.csv']").click()
    csv = Path(got.value.path()).read_text()
    assert csv.startswith("need,clients_ranking_4,share") and "compensation," in csv
