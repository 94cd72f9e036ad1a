"""The cash-plus flow in a real browser (Chromium at 360 px): the client chooses cash,
the schedule shows, a payment is recorded, the spending plan is saved, a follow-up
is recorded and the journey drawn; axe-core finds no serious or critical violation;
360 px screenshots are kept as test-artefacts/web-cash-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import PARTNER_X
from web_support import LiveServer, axe_violations, browser_sign_in, seed_people

from freechoice.api import Settings, create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("web-cash") / "freechoice.db"
    app = create_app(
        Settings(
            database_url=f"sqlite:///{path}",
            load_sample=True,
            catalog_check_seconds=0,
            access_log=False,
            log_format="text",
        )
    )
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with LiveServer(app) as server:
        yield server


def _check(page: Any, artefacts: Path, name: str) -> None:
    page.screenshot(path=str(artefacts / f"web-cash-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_choose_cash_then_schedule_payment_plan_follow_up_and_journey(
    live: LiveServer, page: Any, artefacts: Path
) -> None:
    browser_sign_in(page, live.url, "cw-a")
    page.goto(f"{live.url}/web/intake")
    page.get_by_label("Case reference").fill("c-browser-cash")
    for need, priority in (("housing", "4"), ("employment", "3"), ("food", "2")):
        page.locator(f"#f-need_{need}").get_by_label(f"Priority {priority}").check()
    page.get_by_label("Country", exact=True).select_option("TH")
    page.get_by_role("button", name="See the options").click()
    page.wait_for_url(f"{live.url}/web/options/**")
    page.get_by_role("link", name="Choose with the client").first.click()
    page.get_by_label("The money", exact=False).check()
    page.get_by_role("button", name="Next: what is shared").click()
    page.locator("#plan input").first.fill("5000")
    page.get_by_role("button", name="Confirm my choice").click()
    page.wait_for_url(f"{live.url}/web/choices/**")

    # the schedule: three transfers, the first due today
    page.get_by_role("link", name="Transfers, spending plan and follow-ups").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Transfers"
    assert page.locator("li.transfer").count() == 3
    assert page.locator("li.transfer .badge").first.inner_text() == "due"
    _check(page, artefacts, "schedule")

    # record a payment: refused without its proof (next to the field), then recorded
    page.get_by_role("link", name="Record the payment of transfer 1").click()
    page.get_by_label("Amount paid (Thai baht)").fill("9000.00")
    page.get_by_label("How it was paid").select_option("mobile_money")
    page.get_by_role("button", name="Record the payment").click()
    reference = page.get_by_label("Proof of payment (reference)")
    assert reference.get_attribute("aria-invalid") == "true"
    assert "proof of payment" in page.locator("#err-reference").inner_text()
    _check(page, artefacts, "payment-refused")
    reference.fill("MM-778812")
    page.get_by_role("button", name="Record the payment").click()
    page.wait_for_url(f"{live.url}/web/clients/c-browser-cash/cash?paid=1")
    assert page.get_by_role("status").inner_text() == "Payment of transfer 1 recorded."
    assert page.locator("li.transfer .badge").first.inner_text() == "paid"
    assert "MM-778812" in page.locator("li.transfer").first.inner_text()

    # the spending plan: the client's ranked needs, refused over the limit, then saved as version 2
    page.get_by_role("link", name="Spending plan").click()
    page.get_by_label("Amount (Thai baht)").first.fill("30000")
    page.get_by_role("button", name="Save the plan").click()
    assert "more than the" in page.locator("#err-lines").inner_text()
    page.locator("#amount-housing").fill("15000")
    page.locator("#note-housing").fill("a room near the market")
    page.locator("#amount-employment").fill("6000.50")
    page.get_by_role("button", name="Save the plan").click()
    assert page.get_by_role("status").inner_text() == "The plan is saved as a new version."
    assert page.locator("details.version summary").first.inner_text().startswith("Version 2")
    _check(page, artefacts, "plan")

    # a follow-up: spending and outcomes per need, a re-ranking, the client's words
    page.get_by_role("link", name="Follow-up", exact=True).click()
    housing = page.locator("#need-housing")
    housing.get_by_label("Spent on it, as the client says").fill("4000")
    housing.get_by_label("met", exact=True).check()
    page.locator("#need-employment").get_by_label("not yet").check()
    page.get_by_text("Rank the 21 needs again").click()
    page.locator("#rank-employment").get_by_label("Priority 4").check()
    page.get_by_label("The client's own words").fill("The room is fine; I want work next.")
    page.get_by_label("4", exact=True).check()
    _check(page, artefacts, "follow-up")
    page.get_by_role("button", name="Save the follow-up").click()
    page.wait_for_url(f"{live.url}/web/clients/c-browser-cash/journey**")

    # the journey: drawn, with the words and the re-ranking
    assert page.get_by_role("img", name="How the client's priorities and outcomes changed").is_visible()
    steps = page.locator("section.step")
    assert steps.count() == 2
    assert "ranked again" in steps.nth(1).inner_text()
    assert "The room is fine; I want work next." in steps.nth(1).inner_text()
    assert "1 of the 2 most important needs met" in steps.nth(1).inner_text()
    _check(page, artefacts, "journey")
