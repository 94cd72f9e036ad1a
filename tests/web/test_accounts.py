"""People sign in with their own accounts: sessions, CSRF, lockout, reset, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, sign_in

from freechoice.api.auth import create_key
from freechoice.api.web.accounts import create_person, person_for_session, reset_password
from freechoice.api.web.accounts import sign_in as library_sign_in
from freechoice.catalog import ValidationFailed
from freechoice.catalog.db.tables import AuditEntry, PersonRow, WebSession


def test_a_page_sends_a_stranger_to_sign_in_and_back(site):
    c = site.browser()
    r = c.get("/web/?from=test", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/web/login?next=/web/%3Ffrom%3Dtest"
    form = c.get(r.headers["location"])
    r = c.post(
        "/web/login",
        data={"username": "cw-a", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/web/?from=test"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/web/?from=test"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain http here
    assert "Cw A (fictional)" in c.get("/web/").text


def test_sign_in_never_sends_the_browser_to_another_site(site):
    c = site.browser()
    form = c.get("/web/login")
    r = c.post(
        "/web/login",
        data={"username": "cw-a", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/web/"


def test_the_session_cookie_is_secure_over_https(site):
    c = site.browser()
    c.base_url = c.base_url.copy_with(scheme="https")
    r = sign_in(c, "cw-a", PASSWORD)
    assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_a_form_without_its_token_is_refused(site):
    c = site.browser()
    c.get("/web/login")
    r = c.post("/web/login", data={"username": "cw-a", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert "fc_session" not in r.headers.get("set-cookie", "")
    signed = site.browser("cw-a")
    # a signed-in person's form needs the session's own token, not the one from before signing in
    r = signed.post("/web/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert signed.get("/web/", follow_redirects=False).status_code == 200  # still signed in


def test_signing_out_ends_the_session_everywhere(site):
    c = site.browser("cw-a")
    stolen = c.cookies.get("fc_session")
    home = c.get("/web/")
    r = c.post("/web/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/web/login"
    other = site.browser()
    other.cookies.set("fc_session", stolen)
    assert other.get("/web/", follow_redirects=False).status_code == 303


def test_wrong_passwords_lock_the_account_until_an_admin_resets_it(site):
    db = site.app.state.freechoice.db
    with db.writing() as s:
        create_person(
            s, username="cw-lock", password=PASSWORD, organization_id="org-cw-a", role="caseworker", created_by="test"
        )
    c = site.browser()
    for _ in range(2):
        r = sign_in(c, "cw-lock", "wrong password")
        assert r.status_code == 401 and "wrong" in r.text
    r = sign_in(c, "cw-lock", "wrong password")  # the third: locked (login_max_failures=3)
    assert r.status_code == 401 and "locked" in r.text
    r = sign_in(c, "cw-lock", PASSWORD)  # the right password does not open a locked account
    assert r.status_code == 401 and "locked" in r.text
    with db.writing() as s:
        reset_password(s, "cw-lock", "a new password 1")
    assert sign_in(c, "cw-lock", "a new password 1").status_code == 303


def test_a_lock_lifts_when_its_time_is_over(site):
    db = site.app.state.freechoice.db
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    rules = {"max_failures": 2, "lockout": dt.timedelta(minutes=5), "session_length": dt.timedelta(hours=1)}
    with db.writing() as s:
        create_person(
            s, username="cw-timed", password=PASSWORD, organization_id="org-cw-a", role="caseworker", created_by="test"
        )
    with db.writing() as s:
        assert not library_sign_in(s, "cw-timed", "nope", now=now, **rules).ok
    with db.writing() as s:
        locked = library_sign_in(s, "cw-timed", "nope", now=now, **rules)
    assert locked.locked_until == now + dt.timedelta(minutes=5)
    with db.writing() as s:
        assert not library_sign_in(s, "cw-timed", PASSWORD, now=now + dt.timedelta(minutes=4), **rules).ok
    with db.writing() as s:
        opened = library_sign_in(s, "cw-timed", PASSWORD, now=now + dt.timedelta(minutes=6), **rules)
    assert opened.ok and opened.token
    with db.session() as s:
        # the session lasts session_length from when it was opened
        assert person_for_session(s, opened.token, now=now + dt.timedelta(minutes=30)) is not None
        assert person_for_session(s, opened.token, now=now + dt.timedelta(minutes=67)) is None


def test_a_password_reset_signs_the_person_out(site):
    c = site.browser("cw-b")
    assert c.get("/web/", follow_redirects=False).status_code == 200
    with site.app.state.freechoice.db.writing() as s:
        reset_password(s, "cw-b", PASSWORD)  # same password, still every session ends
    assert c.get("/web/", follow_redirects=False).status_code == 303


def test_passwords_are_stored_as_argon2id_hashes(site):
    with site.app.state.freechoice.db.session() as s:
        stored = s.scalar(select(PersonRow.password_hash).where(PersonRow.username == "cw-a"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_bad_account_is_refused_naming_each_field(site):
    with pytest.raises(ValidationFailed) as err, site.app.state.freechoice.db.writing() as s:
        create_person(
            s, username="Bad Name", password="short", organization_id="org-nowhere", role="boss", created_by="test"
        )
    fields = {p.field: p for p in err.value.problems}
    assert set(fields) == {"username", "password", "organization", "role"}
    assert list(fields["role"].allowed) == ["caseworker", "partner", "manager", "admin"]


def test_actions_are_audited_under_the_persons_own_name(site):
    c = site.browser("cw-a")
    person_id = site.people["cw-a"]
    with site.app.state.freechoice.db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.person_id == person_id)).all()
    assert any(e.action == "sign_in" for e in entries)
    # a key issued to the person: the API's audit names them too
    with site.app.state.freechoice.db.writing() as s:
        _, token = create_key(s, "org-cw-a", "caseworker", created_by="test", person_id=person_id)
    body = {"client_ref": "c-key-1", "needs": {"food": 4}, "situation": {"location": {"country": "TH"}}}
    r = c.post("/option-lists", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    with site.app.state.freechoice.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.resource_id == r.json()["id"])).one()
    assert entry.person_id == person_id and entry.action == "create"


def test_the_language_switch_changes_the_pages_language(site):
    c = site.browser("cw-a")
    r = c.get("/web/language", params={"lang": "km", "next": "/web/"})
    assert r.status_code == 200 and '<html lang="km">' in r.text
    r = c.get("/web/language", params={"lang": "xx", "next": "/web/"})  # not offered: unchanged
    assert '<html lang="km">' in r.text


def _people_form(page: str, action: str) -> bool:
    return f'action="/web/people/{action}"' in page


def test_an_admin_disables_a_person_of_their_organisation_who_is_signed_out_at_once(site):
    db = site.app.state.freechoice.db
    with db.writing() as s:
        staff = create_person(
            s, username="staff-dis", password=PASSWORD, organization_id="org-admin", role="manager", created_by="test"
        )
        _, key = create_key(s, "org-admin", "admin", created_by="test", person_id=staff)
    api = {"Authorization": f"Bearer {key}"}
    them = site.browser("staff-dis")
    assert them.get("/web/", follow_redirects=False).status_code == 200
    assert site.client.get("/organizations", headers=api).status_code == 200

    admin = site.browser("admin")
    page = admin.get("/web/people").text
    assert _people_form(page, "staff-dis/disable")
    assert not _people_form(page, "admin/disable"), "no button to disable oneself"
    assert _people_form(page, "cw-a/disable"), "the programme's admin: another organisation's people too"
    token = csrf_of(page)
    assert admin.post("/web/people/staff-dis/disable", data={}, follow_redirects=False).status_code == 403
    done = admin.post("/web/people/staff-dis/disable", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/web/people?done=disabled"
    page = admin.get("/web/people").text
    assert "The account is disabled" in admin.get(done.headers["location"]).text
    assert _people_form(page, "staff-dis/enable") and not _people_form(page, "staff-dis/disable")

    # their open session stopped at once, they cannot sign in again, and their key stops
    assert them.get("/web/", follow_redirects=False).status_code == 303
    with db.session() as s:
        assert s.scalars(select(WebSession).where(WebSession.person_id == staff)).all() == []
    assert sign_in(site.browser(), "staff-dis", PASSWORD).status_code == 401
    assert site.client.get("/organizations", headers=api).status_code == 401
    with db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "disable")).one()
    assert (entry.resource, entry.resource_id, entry.person_id) == ("person", staff, site.people["admin"])

    again = admin.post("/web/people/staff-dis/enable", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/web/people?done=enabled"
    assert sign_in(them, "staff-dis", PASSWORD).status_code == 303
    assert them.get("/web/", follow_redirects=False).status_code == 200
    assert site.client.get("/organizations", headers=api).status_code == 200
    with db.session() as s:
        done_by_admin = select(AuditEntry.action).where(
            AuditEntry.resource_id == staff, AuditEntry.person_id == site.people["admin"]
        )
        assert s.scalars(done_by_admin.order_by(AuditEntry.id)).all() == ["disable", "enable"]


def test_an_admin_cannot_disable_themself_and_others_cannot_disable_anyone(site):
    admin = site.browser("admin")
    token = csrf_of(admin.get("/web/people").text)
    own = admin.post("/web/people/admin/disable", data={"csrf_token": token}, follow_redirects=False)
    assert own.status_code == 422 and "cannot disable your own account" in own.text
    assert admin.get("/web/", follow_redirects=False).status_code == 200, "still signed in"
    nobody = admin.post("/web/people/no-such-person/disable", data={"csrf_token": token}, follow_redirects=False)
    assert nobody.status_code == 404
    assert sign_in(site.browser(), "cw-a", PASSWORD).status_code == 303, "cw-a was not disabled"
    caseworker = site.browser("cw-a")
    token = csrf_of(caseworker.get("/web/").text)
    refused = caseworker.post("/web/people/cw-b/disable", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403 and "Only an administrator" in refused.text
