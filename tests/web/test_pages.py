"""The pages over HTTP (no browser): they store what the API stores, answer 404 for
another organisation's objects, and show problems next to the fields."""

from __future__ import annotations

import re

from sqlalchemy import select
from web_support import csrf_of, sign_in

from freechoice.catalog.db.tables import AuditEntry, IntakeDraft, ReferralRow

INTAKE = {
    "client_ref": "c-page-1",
    "language_1": "my",
    "need_housing": "4",
    "need_compensation": "4",
    "need_food": "3",
    "location_country": "TH",
    "location_area": "Songkhla",
    "plan": "stay",
    "documents": "confiscated",
    "no_contact_with": ["immigration"],
    "legal_interest": ["wage_claim"],
}


def _post(c, path, data):
    page = c.get(path if not path.endswith("/choose") else path)
    return c.post(path, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False)


def _intake(c, **changes):
    r = _post(c, "/web/intake", {**INTAKE, **changes, "action": "propose"})
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0].rsplit("/", 1)[1]


def test_the_intake_makes_the_option_list_the_api_serves(site):
    c = site.browser("cw-a")
    list_id = _intake(c)
    page = c.get(f"/web/options/{list_id}")
    assert page.status_code == 200
    # the same stored list the API serves, offered in the same order
    served = c.get(f"/option-lists/{list_id}").json()  # the session signs in API reads
    assert served["client_ref"] == "c-page-1"
    titles = re.findall(r'<h3 id="opt-[^"]+">([^<]+)</h3>', page.text)
    first_need = served["needs"][0]
    assert titles[: len(first_need["options"][:3])] == [o["service_name"] for o in first_need["options"][:3]]
    # "show everything": every option of every need, and what was left out
    everything = c.get(f"/web/options/{list_id}?show=all").text
    total = sum(len(n["options"]) for n in served["needs"])
    assert len(re.findall(r'<article class="card"', everything)) == total
    assert "What was left out, and why" in everything


def test_a_draft_is_kept_sealed_and_comes_back_as_typed(site):
    c = site.browser("cw-a")
    r = _post(c, "/web/intake", {**INTAKE, "client_ref": "c-page-draft", "need_food": "2", "action": "save"})
    assert r.status_code == 303 and "saved=1" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    assert re.search(r'name="need_food" value="2"\s+checked', page) or 'value="2" checked' in page
    with site.app.state.freechoice.db.session() as s:
        row = s.scalars(select(IntakeDraft).where(IntakeDraft.client_ref == "c-page-draft")).one()
        assert row.data["needs"]["food"] == "2" and row.organization_id == "org-cw-a"
        assert (
            s.scalar(
                select(AuditEntry.person_id).where(AuditEntry.resource_id == row.id, AuditEntry.action == "create")
            )
            == site.people["cw-a"]
        )


def test_problems_are_shown_next_to_their_field_with_the_allowed_values(site):
    c = site.browser("cw-a")
    r = _post(c, "/web/intake", {**INTAKE, "client_ref": "Jane Doe", "action": "save"})
    assert r.status_code == 422 and 'id="err-client_ref"' in r.text and "never a name" in r.text
    r = _post(
        c, "/web/intake", {**INTAKE, "location_country": "", "plan": "return_home", "age": "900", "action": "propose"}
    )
    assert r.status_code == 422
    errors = dict(re.findall(r'<span class="field-error" id="err-([a-z_]+)">([^<]+)</span>', r.text))
    assert "country code" in errors["location_country"]
    assert "required when plan is" in errors["intended_country"]
    assert "age" in errors and "120" in errors["age"]
    assert 'aria-invalid="true"' in r.text
    with site.app.state.freechoice.db.session() as s:  # nothing was written for a refused form
        assert s.scalar(select(IntakeDraft.id).where(IntakeDraft.client_ref == "Jane Doe")) is None


def test_the_choice_shares_only_what_the_client_ticked(site):
    c = site.browser("cw-a")
    list_id = _intake(c, client_ref="c-page-choice")
    choose = c.get(f"/web/options/{list_id}/choose").text
    options = re.findall(r'name="option" value="([^"]+)"', choose)
    service = next(o for o in options if o != "cash")
    step2 = c.post(
        f"/web/options/{list_id}/choose",
        data={"csrf_token": csrf_of(choose), "decision": "chosen", "option": ["cash", service]},
    )
    assert step2.status_code == 200 and "Shared with" in step2.text
    assert "Burmese" in step2.text  # the client's own value, shown before it is shared
    base = {"csrf_token": csrf_of(choose), "decision": "chosen", "step": "confirm", "option": ["cash", service]}
    over = c.post(f"/web/options/{list_id}/choose", data={**base, "plan:housing": "1000000"})
    assert over.status_code == 422 and "more than the" in over.text
    done = c.post(
        f"/web/options/{list_id}/choose",
        data={**base, f"consent:{service}": ["languages"], "plan:housing": "5000"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    choice_id = done.headers["location"].split("?")[0].rsplit("/", 1)[1]
    recorded = c.get(f"/choices/{choice_id}").json()  # as the API reports it
    assert recorded["cash_chosen"] and recorded["spending_plan"] == [
        {"need": "housing", "amount": 5000.0, "note": None}
    ]
    with site.app.state.freechoice.db.session() as s:
        ref = s.scalars(select(ReferralRow).where(ReferralRow.choice_id == choice_id)).one()
    assert set(ref.shared) == {"client_ref", "need", "languages"} and ref.shared["languages"] == ["my"]
    page = c.get(done.headers["location"]).text
    assert f'href="/option-lists/{list_id}/handout' in page


def test_none_of_these_and_decide_later_record_no_referral(site):
    c = site.browser("cw-a")
    list_id = _intake(c, client_ref="c-page-none")
    r = _post(c, f"/web/options/{list_id}/choose", {"decision": "decide_later"})
    assert r.status_code == 303
    choice_id = r.headers["location"].rsplit("/", 1)[1]
    assert c.get(f"/choices/{choice_id}").json()["decision"] == "decide_later"
    assert "decide later" in c.get(r.headers["location"]).text


def test_another_organisations_objects_answer_404(site):
    a = site.browser("cw-a")
    list_id = _intake(a, client_ref="c-page-private")
    r = _post(a, f"/web/options/{list_id}/choose", {"decision": "none_of_these"})
    choice_path = r.headers["location"]
    draft_path = next(p for p in re.findall(r'href="(/web/intake/dr-[^"]+)"', a.get("/web/").text))
    b = site.browser("cw-b")
    for path in (f"/web/options/{list_id}", f"/web/options/{list_id}/choose", choice_path, draft_path):
        page = b.get(path)
        assert page.status_code == 404, path
        assert "c-page-private" not in page.text
    assert b.get(f"/option-lists/{list_id}").status_code == 404  # as the API answers
    forged = b.post(f"{draft_path}", data={"csrf_token": csrf_of(b.get("/web/").text), **INTAKE, "action": "save"})
    assert forged.status_code == 404


def test_pages_are_for_their_roles(site):
    partner = site.browser("partner-x")
    assert partner.get("/web/intake").status_code == 403
    assert "New intake" not in partner.get("/web/").text


def test_the_session_cookie_never_authorises_an_api_write(site):
    c = site.browser("cw-a")
    body = {"client_ref": "c-cookie", "needs": {"food": 4}, "situation": {"location": {"country": "TH"}}}
    assert c.post("/option-lists", json=body).status_code == 401


def test_the_words_of_the_pages_are_extractable_by_babel():
    from freechoice.api.web.i18n import page_messages

    found = {message for message, _ in page_messages()}
    # from the templates (_(), c_(), {% trans %}) and from Python (N_)
    for expected in ("Intake with the client", "Show everything", "Sign in", "In all: %(total)s", "the police"):
        assert expected in found, expected


def test_an_admin_makes_accounts_and_resets_a_locked_one(site):
    admin = site.browser("admin")
    page = admin.get("/web/people")
    assert page.status_code == 200 and "cw-a" in page.text
    token = csrf_of(page.text)
    bad = admin.post(
        "/web/people",
        data={"csrf_token": token, "username": "X Y", "organization": "org-cw-a", "role": "boss", "password": "short"},
    )
    assert bad.status_code == 422 and "caseworker, partner, manager, admin" in bad.text
    made = admin.post(
        "/web/people",
        data={
            "csrf_token": token,
            "username": "cw-new",
            "name": "New (fictional)",
            "organization": "org-cw-a",
            "role": "caseworker",
            "password": "a long password",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    newcomer = site.browser()
    for _ in range(3):  # login_max_failures=3 in this module
        r = sign_in(newcomer, "cw-new", "wrong")
    assert "locked" in r.text and "locked" in admin.get("/web/people").text
    reset = admin.post(
        "/web/people/cw-new/reset", data={"csrf_token": token, "password": "another long one"}, follow_redirects=False
    )
    assert reset.status_code == 303
    assert sign_in(newcomer, "cw-new", "another long one").status_code == 303
    with site.app.state.freechoice.db.session() as s:
        actions = set(
            s.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.person_id == site.people["admin"], AuditEntry.resource == "person"
                )
            )
        )
    assert {"create", "reset"} <= actions
    assert site.browser("cw-a").get("/web/people").status_code == 403


def test_choosing_nothing_ticked_asks_for_a_tick_or_another_answer(site):
    c = site.browser("cw-a")
    list_id = _intake(c, client_ref="c-page-empty")
    r = _post(c, f"/web/options/{list_id}/choose", {"decision": "chosen"})
    assert r.status_code == 422
    assert "Tick at least one option, or choose &#34;None of these&#34; or &#34;Decide later&#34;." in r.text


def test_erasing_a_client_takes_their_intake_drafts_too(site):
    c = site.browser("cw-a")
    r = _post(c, "/web/intake", {**INTAKE, "client_ref": "c-page-erase", "action": "save"})
    draft_path = r.headers["location"].split("?")[0]
    from freechoice.api.auth import create_key

    with site.app.state.freechoice.db.writing() as s:
        _, token = create_key(s, "org-cw-a", "caseworker", created_by="test", person_id=site.people["cw-a"])
    erased = c.delete("/clients/c-page-erase", headers={"Authorization": f"Bearer {token}"})
    assert erased.status_code == 200 and erased.json()["erased"]["intake_drafts"] == 1
    assert c.get(draft_path).status_code == 404
