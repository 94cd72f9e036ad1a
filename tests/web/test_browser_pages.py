"""The workspace in a real browser (Chromium at 360 px): sign in, intake, options, choice
with consent, in English, Burmese and Khmer; axe-core finds no serious or critical
violation on any page; a screenshot of each page is kept in test-artefacts/."""

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
