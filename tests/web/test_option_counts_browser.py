"""In a real browser (Chromium at 360 px): a bounded list whose count is an upper bound
shows "Show up to N more"; following it, a page lists the need's services ruled out for
it under "Also left out, and why"; axe-core finds no serious or critical violation, and
the screenshots are kept in test-artefacts/ (web-options-up-to-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import PARTNER_X
from bounded_support import found, with_generated_catalog
from web_support import LiveServer, axe_violations, browser_sign_in, seed_people

from freechoice.api import create_app
from freechoice.api.auth import create_key
from freechoice.engine.text import translator

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    path = tmp_path_factory.mktemp("web") / "freechoice.db"
    app = create_app(with_generated_catalog(f"sqlite:///{path}", log_format="text"))
    seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with app.state.freechoice.db.writing() as s:
        key = create_key(s, "org-cw-a", "caseworker", created_by="test")[1]
    with LiveServer(app) as server:
        yield server, key


@pytest.mark.parametrize("lang", ["en", "my"])
def test_show_up_to_n_more_and_what_the_page_left_out(live, page: Any, artefacts: Path, lang: str) -> None:
    server, key = live
    f = found()
    made = httpx.post(f"{server.url}/option-lists", json=f.body, headers={"Authorization": f"Bearer {key}"})
    assert made.status_code == 201, made.text
    ol = made.json()
    need = next(n for n in ol["needs"] if n["need"] == f.need)
    assert need["more"]["exact"] is False  # the count is at most: the page must say "up to"
    t = translator(lang)
    browser_sign_in(page, server.url, "cw-a")
    page.goto(f"{server.url}/web/options/{ol['id']}?lang={lang}")
    words = t.gettext("Show up to %(count)s more") % {"count": need["more"]["count"]}
    link = page.get_by_role("link", name=words, exact=True)
    assert link.count() >= 1
    page.screenshot(path=str(artefacts / f"web-options-up-to-{lang}.png"), full_page=True)
    assert axe_violations(page) == []
    heading = t.gettext("Also left out, and why")
    for _ in range(f.count):  # follow "show more" until a page names a service it ruled out
        link = page.locator(f'a[href^="?need={f.need}&cursor="]')
        if not link.count():
            break
        link.first.click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name=heading, exact=True).count():
            break
    assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    listed = page.get_by_role("heading", name=heading, exact=True).locator("xpath=following-sibling::ul[1]/li")
    assert listed.count() >= 1 and "(" in listed.first.inner_text()  # the service, its need, and why
    page.screenshot(path=str(artefacts / f"web-options-left-out-{lang}.png"), full_page=True)
    assert axe_violations(page) == []
