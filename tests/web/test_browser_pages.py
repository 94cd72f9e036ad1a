"""The workspace in a real browser (Chromium at 360 px): sign in, intake, options, choice
with consent, in English, Burmese and Khmer; axe-core finds no serious or critical
violation on any page; a screenshot of each page is kept in test-artefacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import PARTNER_X
from web_support import PASSWORD, LiveServer, axe_violations, browser_sign_in, seed_people

from freechoice.api import Settings, create_app
from freechoice.engine.text import language_display_name, translator

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("web") / "freechoice.db"
    app = create_app(
        Settings(
            database_url=f"sqlite:///{path}",
            load_sample=True,
            catalog_check_seconds=0,
            access_log=False,
            log_format="text",
            login_max_failures=3,
        )
    )
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with LiveServer(app) as server:
        yield server


def _check(page: Any, artefacts: Path, name: str) -> None:
    """No serious or critical axe violation, and the 360 px screenshot kept."""
    page.screenshot(path=str(artefacts / f"web-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_sign_in_page(live: LiveServer, page: Any, artefacts: Path) -> None:
    page.goto(f"{live.url}/web/")
    assert page.url.startswith(f"{live.url}/web/login")  # signed out: sent to sign in
    _check(page, artefacts, "login-en")
    browser_sign_in(page, live.url, "cw-a")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    _check(page, artefacts, "home-en")


LANGS = {"en": "English", "my": "Burmese", "km": "Khmer"}


@pytest.mark.parametrize("lang", list(LANGS))
def test_intake_options_and_choice_with_consent(live: LiveServer, page: Any, artefacts: Path, lang: str) -> None:
    browser_sign_in(page, live.url, "cw-a")
    page.get_by_role("link", name="Start an intake with a client").click()
    page.get_by_label("Case reference").fill(f"c-browser-{lang}")
    if lang != "en":
        page.get_by_label("Language 1").select_option(lang)
        page.get_by_role("button", name="Save draft").click()
        # the needs now show in the client's language (the shared catalogs) beside the caseworker's
        label = page.locator("#f-need_housing .client-label")
        assert label.get_attribute("lang") == lang
        assert label.inner_text() == translator(lang).gettext("A place to stay")
    for need, priority in (("housing", "4"), ("compensation", "4"), ("food", "3"), ("employment", "2")):
        # the rank buttons speak to the client: read out in the client's language
        rank = translator(lang).gettext("Priority %(n)s") % {"n": priority}
        page.locator(f"#f-need_{need}").get_by_label(rank).check()
    page.get_by_label("Country", exact=True).select_option("TH")
    page.get_by_label("Province or area", exact=True).fill("Songkhla")
    page.get_by_label("Someone took the documents").check()
    page.locator("#f-no_contact_with").get_by_label("immigration officers").check()
    page.locator("#f-fears").get_by_label("the police").check()
    page.get_by_label("Claim unpaid wages").check()
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_role("status").inner_text().startswith("Draft saved")
    # the draft keeps what was typed
    rank4 = translator(lang).gettext("Priority %(n)s") % {"n": 4}
    assert page.locator("#f-need_housing").get_by_label(rank4).is_checked()
    _check(page, artefacts, f"intake-{lang}")

    page.get_by_role("button", name="See the options").click()
    page.wait_for_url(f"{live.url}/web/options/**")
    client = "en" if lang == "en" else lang
    assert page.locator("main > div").first.get_attribute("lang") == client
    t = translator(lang)  # the shared catalogs: the client's pages in the client's language
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0] == t.gettext("Money you decide how to spend")  # cash first
    assert any(h.startswith(t.gettext("Compensation")) for h in headings), headings
    assert any(h.startswith(t.gettext("A place to stay")) for h in headings), headings
    assert page.locator("article.card").count() >= 3
    _check(page, artefacts, f"options-{lang}")

    page.get_by_role("link", name=t.gettext("Show everything")).first.click()
    assert page.get_by_role("heading", name=t.gettext("What was left out, and why")).is_visible()
    page.get_by_role("link", name="Choose with the client").first.click()
    page.locator("fieldset#pick input[name=option][value=cash]").check()
    first_service = page.locator("fieldset#pick input[name=option]:not([value=cash])").first
    first_service.check()
    _check(page, artefacts, f"choose-{lang}")
    page.get_by_role("button", name=t.gettext("Next: what is shared")).click()
    consent = page.locator("fieldset.consent").first
    assert t.gettext("always shared") in consent.inner_text()
    consent.get_by_label(t.gettext("the languages you speak"), exact=False).check()
    page.locator("#plan input").first.fill("9000")
    _check(page, artefacts, f"consent-{lang}")
    page.get_by_role("button", name=t.gettext("Confirm my choice")).click()
    page.wait_for_url(f"{live.url}/web/choices/**")
    shared = page.locator("section.card").last.inner_text()
    assert t.gettext("the languages you speak").lower() in shared.lower()
    # the client's own value, in their language: the languages they speak (none given in English)
    assert (language_display_name(lang, lang) if lang != "en" else "not given") in shared
    assert t.gettext("the state of your identity documents").lower() not in shared.lower()  # not ticked
    handout = page.get_by_role("link", name=t.gettext("The handout to print or send")).get_attribute("href")
    assert handout is not None and handout.startswith("/option-lists/") and handout.split("?")[0].endswith("/handout")
    _check(page, artefacts, f"chosen-{lang}")


def test_keyboard_and_errors_next_to_fields(live: LiveServer, page: Any, artefacts: Path) -> None:
    browser_sign_in(page, live.url, "cw-a")
    page.goto(f"{live.url}/web/intake")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    # the rank buttons are radio buttons: arrow keys move the choice
    page.locator("#f-need_food").get_by_label("Priority 1").check()
    page.keyboard.press("ArrowRight")
    assert page.locator("#f-need_food").get_by_label("Priority 2").is_checked()
    page.get_by_label("Case reference").fill("c-browser-bad")
    page.get_by_label("Age", exact=True).fill("two hundred")
    page.get_by_role("button", name="See the options").click()
    country = page.get_by_label("Country", exact=True)
    assert country.get_attribute("aria-invalid") == "true"
    assert "country code" in page.locator("#err-location_country").inner_text()
    assert page.locator("#err-age").inner_text() != ""
    assert page.get_by_role("alert").is_visible()
    _check(page, artefacts, "intake-errors-en")


def test_pages_answer_404_for_another_organisation_and_refuse_forged_forms(live: LiveServer, page: Any) -> None:
    # cw-a (organisation A) saves a draft in their own browser
    theirs = page.context.browser.new_context(viewport={"width": 360, "height": 780}).new_page()
    browser_sign_in(theirs, live.url, "cw-a")
    theirs.goto(f"{live.url}/web/intake")
    theirs.get_by_label("Case reference").fill("c-browser-private")
    theirs.get_by_role("button", name="Save draft").click()
    draft_path = theirs.url.split("?")[0].removeprefix(live.url)
    theirs.context.close()
    assert draft_path.startswith("/web/intake/dr-")

    browser_sign_in(page, live.url, "cw-b")  # organisation B
    assert page.locator(f"a[href='{draft_path}']").count() == 0  # not listed
    response = page.goto(f"{live.url}{draft_path}")
    assert response is not None and response.status == 404  # as the API answers
    assert "c-browser-private" not in page.content()
    # a POST without the token: refused, nothing saved
    forged = page.request.post(f"{live.url}/web/intake", form={"client_ref": "c-forged", "action": "save"})
    assert forged.status == 403
    page.goto(f"{live.url}/web/")
    assert "c-forged" not in page.content()
    # signed out: back to the sign-in page
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live.url}/web/intake")
    assert page.url.startswith(f"{live.url}/web/login")


def test_people_page_for_an_admin(live: LiveServer, page: Any, artefacts: Path) -> None:
    browser_sign_in(page, live.url, "admin")
    page.get_by_role("link", name="People").first.click()
    assert page.get_by_role("heading", name="People who sign in").is_visible()
    _check(page, artefacts, "people-en")


def test_wrong_passwords_lock_the_account(live: LiveServer, page: Any, artefacts: Path) -> None:
    page.goto(f"{live.url}/web/login")
    for _ in range(3):  # login_max_failures=3 here
        page.get_by_label("Username").fill("manager")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    assert "locked" in page.get_by_role("alert").inner_text()
    page.get_by_label("Password").fill(PASSWORD)  # the right one no longer opens it
    page.get_by_role("button", name="Sign in").click()
    assert "locked" in page.get_by_role("alert").inner_text() and "/web/login" in page.url
    _check(page, artefacts, "login-locked-en")
