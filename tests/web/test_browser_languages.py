"""The workspace wholly in Burmese and in Khmer, in a real browser at 360 px (issue 11):
the caseworker's interface in their language and the client's pages in the client's,
no English left on a page but what is marked as English or written by people and
partners, axe-core clean; the handout opens from the recorded choice in the client's
language. Screenshots of each page are kept in test-artefacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import PARTNER_X
from page_words import english_left, written_by_people
from web_support import LiveServer, axe_violations, browser_sign_in, seed_people

from freechoice.api import Settings, create_app
from freechoice.api.web.i18n import translator

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    path = tmp_path_factory.mktemp("web-lang") / "freechoice.db"
    app = create_app(
        Settings(database_url=f"sqlite:///{path}", load_sample=True, catalog_check_seconds=0, access_log=False)
    )
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with LiveServer(app) as server:
        yield server, app


def _check(page: Any, artefacts: Path, name: str, lang: str, allowed: set[str]) -> None:
    page.screenshot(path=str(artefacts / f"web-{name}-all-{lang}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == lang, name
    assert english_left(page.content(), lang, allowed) == [], name
    assert axe_violations(page) == [], name


@pytest.mark.parametrize("lang", ["my", "km"])
def test_every_page_in_the_users_and_the_clients_language(
    live_app: tuple[LiveServer, Any], page: Any, artefacts: Path, lang: str
) -> None:
    live, app = live_app
    allowed = written_by_people(app.state.freechoice.db)
    _ = translator(lang)
    browser_sign_in(page, live.url, "cw-a")
    page.context.add_cookies([{"name": "fc_lang", "value": lang, "url": live.url}])  # the language switch's choice
    page.goto(f"{live.url}/web/")
    _check(page, artefacts, "home", lang, allowed)
    page.get_by_role("link", name=_("Start an intake with a client")).click()
    page.locator("#f-client_ref").fill(f"c-lang-{lang}")
    page.locator("#f-language_1").select_option(lang)
    for need, priority in (("housing", "4"), ("compensation", "4"), ("food", "3")):
        page.locator(f"input[name=need_{need}][value='{priority}']").check()
    page.locator("#f-location_country").select_option("TH")
    page.locator("#f-location_area").fill("Songkhla")
    page.locator("input[name=documents][value=confiscated]").check()
    page.locator("input[name=work_limits][value=no_night_work]").check()
    page.get_by_role("button", name=_("Save draft")).click()
    assert page.get_by_role("status").inner_text() == _("Draft saved. You can come back to it from the start page.")
    _check(page, artefacts, "intake", lang, allowed)

    page.get_by_role("button", name=_("See the options")).click()
    page.wait_for_url(f"{live.url}/web/options/**")
    _check(page, artefacts, "options", lang, allowed)
    page.get_by_role("link", name=_("Show everything")).first.click()
    _check(page, artefacts, "options-all", lang, allowed)
    page.get_by_role("link", name=_("Choose with the client")).first.click()
    page.locator("fieldset#pick input[name=option][value=cash]").check()
    page.locator("fieldset#pick input[name=option]:not([value=cash])").first.check()
    _check(page, artefacts, "choose", lang, allowed)
    page.get_by_role("button", name=_("Next: what is shared")).click()
    page.locator("fieldset.consent input[value=languages]").first.check()
    page.locator("#plan input").first.fill("9000")
    _check(page, artefacts, "consent", lang, allowed)
    page.get_by_role("button", name=_("Confirm my choice")).click()
    page.wait_for_url(f"{live.url}/web/choices/**")
    _check(page, artefacts, "chosen", lang, allowed)

    # the handout, one click away, in the client's language
    page.get_by_role("link", name=_("The handout to print or send")).click()
    page.wait_for_url(f"{live.url}/option-lists/**/handout**")
    assert page.locator("html").get_attribute("lang") == lang
    page.screenshot(path=str(artefacts / f"web-handout-all-{lang}.png"), full_page=True)
