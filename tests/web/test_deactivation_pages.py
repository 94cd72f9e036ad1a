"""The pages after an organisation is deactivated, over HTTP on a real database: a choice
on a list made before drafts no referral to it; and who manages whose accounts on the
People page (an admin: every organisation's; other roles: nobody's)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from api_support import PARTNER_X
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, sign_in

from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.tables import AuditEntry, PersonRow, ReferralRow

INTAKE = {
    "client_ref": "c-page-gone",
    "language_1": "my",
    "need_housing": "4",
    "need_compensation": "4",
    "location_country": "TH",
    "location_area": "Songkhla",
    "plan": "stay",
    "documents": "confiscated",
    "legal_interest": ["wage_claim"],
}


@pytest.fixture
def admin_key(site) -> str:
    with site.app.state.freechoice.db.writing() as s:
        return create_key(s, "org-admin", "admin", created_by="test")[1]


@pytest.fixture
def deactivated(site, admin_key) -> Iterator[dict[str, str]]:
    """The partner deactivated through the API for the test, active again after it."""
    api = {"Authorization": f"Bearer {admin_key}"}
    assert site.client.post(f"/organizations/{PARTNER_X}/deactivate", headers=api).status_code == 200
    yield api
    assert site.client.post(f"/organizations/{PARTNER_X}/activate", headers=api).status_code == 200


def _list_with_partner_option(c) -> tuple[str, dict]:
    form = c.get("/web/intake")
    r = c.post(
        "/web/intake",
        data={**INTAKE, "action": "propose", "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    list_id = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
    served = c.get(f"/option-lists/{list_id}").json()
    option = next(o for n in served["needs"] for o in n["options"] if o.get("provider_id") == PARTNER_X)
    return list_id, option


def _referrals(site) -> int:
    with site.app.state.freechoice.db.session() as s:
        return len(s.scalars(select(ReferralRow.id)).all())


def test_a_choice_made_on_the_page_after_the_deactivation_names_the_service_and_drafts_nothing(site, admin_key):
    c = site.browser("cw-a")
    list_id, option = _list_with_partner_option(c)
    choose = c.get(f"/web/options/{list_id}/choose").text
    assert option["option_id"] in re.findall(r'name="option" value="([^"]+)"', choose)
    before = _referrals(site)
    api = {"Authorization": f"Bearer {admin_key}"}
    assert site.client.post(f"/organizations/{PARTNER_X}/deactivate", headers=api).status_code == 200
    try:
        confirm = {
            "csrf_token": csrf_of(choose),
            "decision": "chosen",
            "step": "confirm",
            "option": [option["option_id"]],
        }
        refused = c.post(f"/web/options/{list_id}/choose", data=confirm, follow_redirects=False)
        assert refused.status_code == 422
        assert f"{option['service_name']} can no longer take referrals" in refused.text
        assert f"{option['provider_name']} is no longer active" in refused.text
        assert 'name="option"' in refused.text, "back to the ticks, to choose another option"
        assert _referrals(site) == before
        # in the client's language when the page is in it (a machine draft, marked as such in its catalog)
        km = c.post(f"/web/options/{list_id}/choose", data={**confirm, "lang": "km"}, follow_redirects=False)
        assert km.status_code == 422 and "លែងដំណើរការហើយ" in km.text
        assert "សូមពិនិត្យទម្រង់" in km.text and "Please check the form" not in km.text, "the heading in it too"
        assert _referrals(site) == before
    finally:
        assert site.client.post(f"/organizations/{PARTNER_X}/activate", headers=api).status_code == 200
    done = c.post(f"/web/options/{list_id}/choose", data=confirm, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _referrals(site) == before + 1


# ------------------------------------------------------------------- the People page
def test_an_admin_manages_the_accounts_of_every_organisation(site):
    db = site.app.state.freechoice.db
    admin = site.browser("admin")  # of org-admin, the programme's administrator
    page = admin.get("/web/people").text
    assert 'action="/web/people/cw-a/disable"' in page, "another organisation's person has the button too"
    assert 'action="/web/people/admin/disable"' not in page, "never oneself"
    token = csrf_of(page)

    them = site.browser("cw-b")
    done = admin.post("/web/people/cw-b/disable", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/web/people?done=disabled"
    assert them.get("/web/", follow_redirects=False).status_code == 303, "signed out at once"
    assert sign_in(site.browser(), "cw-b", PASSWORD).status_code == 401
    again = admin.post("/web/people/cw-b/enable", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303
    assert sign_in(site.browser(), "cw-b", PASSWORD).status_code == 303

    made = admin.post(
        "/web/people",
        data={
            "csrf_token": token,
            "username": "cw-b-new",
            "name": "New B (fictional)",
            "organization": "org-cw-b",
            "role": "caseworker",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    reset = admin.post(
        "/web/people/cw-b-new/reset", data={"csrf_token": token, "password": "another one 1"}, follow_redirects=False
    )
    assert reset.status_code == 303
    assert sign_in(site.browser(), "cw-b-new", "another one 1").status_code == 303
    nobody = admin.post("/web/people/no-such-person/disable", data={"csrf_token": token}, follow_redirects=False)
    assert nobody.status_code == 404 and "There is no such account." in nobody.text

    with db.session() as s:
        new_id = s.scalar(select(PersonRow.id).where(PersonRow.username == "cw-b-new"))
        done_by_admin = select(AuditEntry.action, AuditEntry.resource_id).where(
            AuditEntry.person_id == site.people["admin"], AuditEntry.resource == "person"
        )
        audited = s.execute(done_by_admin.order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in audited][-4:] == [
        ("disable", site.people["cw-b"]),
        ("enable", site.people["cw-b"]),
        ("create", new_id),
        ("reset", new_id),
    ]


@pytest.mark.parametrize("username", ["manager", "cw-a", "partner-x"])
def test_other_roles_manage_no_accounts_and_are_told_why(site, username):
    c = site.browser(username)
    token = csrf_of(c.get("/web/").text)
    assert c.get("/web/people").status_code == 403
    for action, data in (
        ("/web/people/cw-b/disable", {}),
        ("/web/people/cw-b/enable", {}),
        ("/web/people/cw-b/reset", {"password": "taken over 123"}),
        ("/web/people", {"username": "sneaky", "organization": "org-cw-a", "role": "admin", "password": PASSWORD}),
    ):
        r = c.post(action, data={**data, "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403 and "Only an administrator makes, resets, disables or enables accounts." in r.text
    assert sign_in(site.browser(), "cw-b", PASSWORD).status_code == 303, "nothing changed"
    with site.app.state.freechoice.db.session() as s:
        assert s.scalar(select(PersonRow.id).where(PersonRow.username == "sneaky")) is None


def test_no_account_is_made_for_a_deactivated_organisation(site, deactivated):
    with site.app.state.freechoice.db.writing() as s:
        save_organization(s, Organization(id="org-gone", name="Gone Shelter (fictional)"), "test")
    admin = site.browser("admin")
    page = admin.get("/web/people").text
    assert f'<option value="{PARTNER_X}">' not in page, "not offered in the form"
    assert '<option value="org-gone">' in page
    r = admin.post(
        "/web/people",
        data={
            "csrf_token": csrf_of(page),
            "username": "staff-gone",
            "organization": PARTNER_X,
            "role": "partner",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert r.status_code == 422 and f"organisation &#39;{PARTNER_X}&#39; is deactivated" in r.text
    with site.app.state.freechoice.db.session() as s:
        assert s.scalar(select(PersonRow.id).where(PersonRow.username == "staff-gone")) is None
