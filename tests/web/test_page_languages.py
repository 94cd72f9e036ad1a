"""Every page in the user's and the client's language (issue 11): over HTTP, in each of
the five languages, no English is left on a page except what is marked as English (a
fallback, ``lang="en"``) and what people typed or partners wrote (names, addresses)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from page_words import english_left, written_by_people
from web_support import PASSWORD, csrf_of, sign_in

from freechoice.engine.text import LANGUAGES

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def _form(c, path: str, data: dict[str, Any], **kw: Any):
    page = c.get(path)
    return c.post(path, data={**data, "csrf_token": csrf_of(page.text)}, **kw)


def _pages(site, lang: str) -> tuple[dict[str, str], set[str]]:
    """Every page of the workspace in ``lang`` (the user's and the client's), with the
    texts on them that people typed or partners wrote."""
    ref = f"c-lang-{lang}"
    c = site.browser()
    c.cookies.set("fc_lang", lang)
    pages = {
        "login": c.get("/web/login").text,
        "login refused": _form(c, "/web/login", {"username": "x", "password": "y"}).text,
    }
    sign_in(c, "cw-a", PASSWORD)
    intake = {
        "client_ref": ref,
        "language_1": lang,
        "need_housing": "4",
        "need_compensation": "4",
        "need_food": "3",
        "location_country": "TH",
        "location_area": "Songkhla",
        "plan": "stay",
        "documents": "confiscated",
        "no_contact_with": ["immigration"],
        "work_limits": ["no_night_work"],
        "legal_interest": ["wage_claim"],
    }
    pages["home"] = c.get("/web/").text
    pages["intake"] = c.get("/web/intake").text
    pages["intake with problems"] = _form(
        c, "/web/intake", {**intake, "client_ref": "Jane Doe", "age": "900", "action": "propose"}
    ).text
    made = _form(c, "/web/intake", {**intake, "action": "propose"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    list_id = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    pages["options"] = c.get(f"/web/options/{list_id}?lang={lang}&show=all").text
    choose_path = f"/web/options/{list_id}/choose?lang={lang}"
    choose = c.get(choose_path).text
    pages["choose"] = choose
    service = next(o for o in re.findall(r'name="option" value="([^"]+)"', choose) if o != "cash")
    base = {"csrf_token": csrf_of(choose), "decision": "chosen", "option": ["cash", service], "lang": lang}
    pages["choose: nothing ticked"] = c.post(choose_path, data={**base, "option": []}).text
    pages["choose: what is shared"] = c.post(choose_path, data=base).text
    confirm = {**base, "step": "confirm", f"consent:{service}": ["languages", "plan", "documents", "work_limits"]}
    pages["choose: over the money"] = c.post(choose_path, data={**confirm, "plan:housing": "1000000"}).text
    done = c.post(choose_path, data={**confirm, "plan:housing": "5000"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    pages["chosen"] = c.get(done.headers["location"]).text
    pages["not found"] = c.get("/web/options/ol-nothing-here").text
    admin = site.browser("admin")
    admin.cookies.set("fc_lang", lang)
    pages["people"] = admin.get("/web/people").text
    return pages, written_by_people(site.app.state.freechoice.db)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_is_left_on_any_page(site, lang):
    pages, allowed = _pages(site, lang)
    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        left = english_left(html, lang, allowed)
        assert not left, f"{lang}, {name}: English left on the page: {left[:5]}"


def test_the_english_pages_are_english_and_the_check_would_see_english(site):
    pages, allowed = _pages(site, "en")
    assert all('<html lang="en">' in html for html in pages.values())
    # the same check on an English page finds English: it can fail
    as_if_burmese = pages["intake"].replace('<html lang="en">', '<html lang="my">')
    assert "Intake with the client" in english_left(as_if_burmese, "my", allowed)
    # ...but not what is marked as English (a fallback) nor what partners wrote
    marked = '<p>ငွေ <span lang="en">Free meals</span> Andaman Wage Justice Centre</p>'
    assert english_left(marked, "my", allowed) == []
