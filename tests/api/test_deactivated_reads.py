"""What partners and integrators read of a deactivated organisation's services, and a
choice made on a list from before the deactivation: over HTTP, two workers on one
database (SQLite file or PostgreSQL schema), as ``serve --workers`` runs them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item
from fastapi.testclient import TestClient
from sqlalchemy import select

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.tables import AuditEntry, ReferralRow
from freechoice.catalog.hsds.vocabulary import record_uuid


@dataclass
class Two:
    a: TestClient
    b: TestClient
    keys: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def state(self) -> Any:
        return self.a.app.state.freechoice  # type: ignore[attr-defined]


@pytest.fixture
def two(database_url: str) -> Iterator[Two]:
    def settings() -> Settings:
        return Settings(
            database_url=database_url,
            load_sample=True,
            catalog_check_seconds=0,
            access_check_seconds=0,
            quality_seconds=0,
            access_log=False,
        )

    app_a, app_b = create_app(settings()), create_app(settings())
    state = app_a.state.freechoice
    keys = {}
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-sec", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-x", name="Caseworkers X (fictional)"), "test")
        keys["root"] = create_key(s, "org-sec", "admin", created_by="test")[1]
        keys["cw"] = create_key(s, "org-cw-x", "caseworker", created_by="test")[1]
        keys["partner"] = create_key(s, PARTNER_X, "partner", created_by="test")[1]
    try:
        with TestClient(app_a) as a, TestClient(app_b) as b:
            yield Two(a, b, keys)
    finally:
        state.db.downgrade("base")
        state.db.dispose()


def _theirs(two: Two) -> list[str]:
    return sorted(s["id"] for s in every_item(two.a, f"/services?organization_id={PARTNER_X}", headers=two.as_("root")))


def _deactivate(two: Two, org: str = PARTNER_X) -> None:
    off = two.a.post(f"/organizations/{org}/deactivate", headers=two.as_("root"))
    assert off.status_code == 200 and off.json()["active"] is False, off.text


# ------------------------------------------------------------------- GET /services
def test_services_say_whether_they_are_offered_and_a_cached_copy_is_not_served_as_offered(two: Two):
    theirs = _theirs(two)
    first = two.b.get(f"/services/{theirs[0]}", headers=two.as_("cw"))
    assert first.status_code == 200
    assert first.json()["organization_active"] is True and first.json()["offered"] is True
    etag = first.headers["ETag"]
    assert two.b.get(f"/services/{theirs[0]}", headers={**two.as_("cw"), "If-None-Match": etag}).status_code == 304

    _deactivate(two)
    # the other worker: not 304 for the copy read while it was offered, and marked not offered
    now = two.b.get(f"/services/{theirs[0]}", headers={**two.as_("cw"), "If-None-Match": etag})
    assert now.status_code == 200 and now.headers["ETag"] != etag
    assert now.json()["organization_active"] is False and now.json()["offered"] is False
    assert now.json()["status"] == "active", "the service's own status is kept"

    listed = {s["id"]: s for s in every_item(two.b, "/services", headers=two.as_("cw"))}
    assert all(listed[sid]["offered"] is False for sid in theirs)
    assert any(s["offered"] for s in listed.values()), "other organisations' services stay offered"
    offered = {s["id"] for s in every_item(two.b, "/services?offered=true", headers=two.as_("cw"))}
    assert offered and not offered & set(theirs)
    not_offered = {s["id"] for s in every_item(two.b, "/services?offered=false", headers=two.as_("cw"))}
    assert set(theirs) <= not_offered and not offered & not_offered
    assert offered | not_offered == set(listed)

    # an admin may still change it, sending back what it read (read-only fields ignored) with either ETag
    body = {k: v for k, v in now.json().items() if k not in ("version", "updated_at", "updated_by")}
    put = two.a.put(
        f"/services/{theirs[0]}",
        json=body | {"description": "Kept while the organisation is deactivated."},
        headers={**two.as_("root"), "If-Match": now.headers["ETag"]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["organization_active"] is False and "organization_active" not in _stored(two, theirs[0])

    on = two.a.post(f"/organizations/{PARTNER_X}/activate", headers=two.as_("root"))
    assert on.status_code == 200
    back = two.b.get(f"/services/{theirs[0]}", headers=two.as_("partner"))
    assert back.json()["organization_active"] is True and back.json()["offered"] is True


def _stored(two: Two, service_id: str) -> dict[str, Any]:
    from freechoice.catalog.db.tables import ServiceRow

    with two.state().db.session() as s:
        row = s.get(ServiceRow, service_id)
        assert row is not None
        return dict(row.data)


# ------------------------------------------------------------------- HSDS
def test_the_hsds_export_leaves_a_deactivated_organisations_services_out_unless_asked(two: Two):
    theirs = _theirs(two)
    params = {"per_page": 500, "organization_id": PARTNER_X}
    before = two.b.get("/hsds/services", params=params, headers=two.as_("cw")).json()
    hsds_ids = {record_uuid("service", sid) for sid in theirs}
    assert {s["id"] for s in before["contents"]} == hsds_ids

    _deactivate(two)
    for worker in (two.a, two.b):
        out = worker.get("/hsds/services", params=params, headers=two.as_("cw")).json()
        assert out["total_items"] == 0 and out["contents"] == []
    everyone = two.b.get("/hsds/services", params={"per_page": 500}, headers=two.as_("cw")).json()
    assert everyone["total_items"] > 0 and not {s["id"] for s in everyone["contents"]} & hsds_ids
    assert not any("organization_active" in s for s in everyone["contents"])

    asked = two.b.get(
        "/hsds/services", params={**params, "include_deactivated": "true", "full": "true"}, headers=two.as_("cw")
    ).json()
    assert {s["id"] for s in asked["contents"]} == hsds_ids
    assert all(s["organization_active"] is False and s["status"] == "active" for s in asked["contents"])

    one = two.b.get(f"/hsds/services/{theirs[0]}", headers=two.as_("cw"))
    assert one.status_code == 404 and "deactivated" in one.json()["detail"] and theirs[0] in one.json()["detail"]
    one = two.b.get(f"/hsds/services/{theirs[0]}", params={"include_deactivated": "true"}, headers=two.as_("cw"))
    assert one.status_code == 200
    assert one.json()["organization_active"] is False and one.json()["organization"]["organization_active"] is False


def test_the_owner_reads_its_own_services_in_the_hsds_export_before_and_after_not_during(two: Two):
    theirs = {record_uuid("service", sid) for sid in _theirs(two)}  # the HSDS ids
    own = two.a.get("/hsds/services", params={"per_page": 500}, headers=two.as_("partner")).json()
    assert {s["id"] for s in own["contents"]} == theirs
    admin = two.b.get("/hsds/services", params={"per_page": 500}, headers=two.as_("root")).json()
    assert theirs <= {s["id"] for s in admin["contents"]}
    _deactivate(two)
    assert two.a.get("/hsds/services", headers=two.as_("partner")).status_code == 401  # its keys stop meanwhile
    admin = two.b.get("/hsds/services", params={"per_page": 500}, headers=two.as_("root")).json()
    assert not {s["id"] for s in admin["contents"]} & theirs
    assert two.a.post(f"/organizations/{PARTNER_X}/activate", headers=two.as_("root")).status_code == 200
    again = two.b.get("/hsds/services", params={"per_page": 500}, headers=two.as_("partner")).json()
    assert again == own


# ------------------------------------------------------------------- choices over an old list
def _old_list_with(two: Two, theirs: list[str]) -> tuple[str, dict[str, Any]]:
    made = two.a.post("/option-lists?all_needs=true", json=ASSESSMENT | {"client_ref": "c-old"}, headers=two.as_("cw"))
    assert made.status_code == 201, made.text
    options = [o for n in made.json()["needs"] for o in n["options"] if o.get("service_id") in theirs]
    assert options, "the partner's services are offered to this client"
    return made.json()["id"], options[0]


def _referrals(two: Two) -> int:
    with two.state().db.session() as s:
        return len(s.scalars(select(ReferralRow.id)).all())


def test_a_choice_on_a_list_from_before_the_deactivation_drafts_no_referral_to_it(two: Two):
    theirs = _theirs(two)
    list_id, option = _old_list_with(two, theirs)
    stored = two.a.get(f"/option-lists/{list_id}", headers=two.as_("cw")).json()
    _deactivate(two)

    refused = two.b.post(
        f"/option-lists/{list_id}/choices", json={"option_ids": [option["option_id"]]}, headers=two.as_("cw")
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert "no longer offered" in problem["detail"]
    [error] = problem["errors"]
    assert error["field"] == "option_ids"
    assert option["service_id"] in error["message"] and "organisation is no longer active" in error["message"]
    assert _referrals(two) == 0
    with two.state().db.session() as s:  # the client's list was read for nothing: the read is audited
        read = s.scalars(select(AuditEntry).where(AuditEntry.resource_id == list_id, AuditEntry.action == "read")).all()
    assert [e.client_ref for e in read if e.detail.get("refused") == "choice"] == ["c-old"]
    # the list itself is as it was offered
    assert two.b.get(f"/option-lists/{list_id}", headers=two.as_("cw")).json() == stored

    # "none of these" and decide-later still work over the old list
    none = two.b.post(f"/option-lists/{list_id}/choices", json={"option_ids": []}, headers=two.as_("cw"))
    assert none.status_code == 201 and none.json()["referrals"] == []

    on = two.a.post(f"/organizations/{PARTNER_X}/activate", headers=two.as_("root"))
    assert on.status_code == 200
    ok = two.b.post(
        f"/option-lists/{list_id}/choices", json={"option_ids": [option["option_id"]]}, headers=two.as_("cw")
    )
    assert ok.status_code == 201, ok.text
    assert [r["service_id"] for r in ok.json()["referrals"]] == [option["service_id"]]
    with two.state().db.session() as s:
        created = s.scalars(select(AuditEntry.action).where(AuditEntry.resource == "choice")).all()
    assert created == ["create", "create"], "every recorded choice audited, the refused one not recorded"


def test_a_choice_of_a_service_deactivated_since_the_list_drafts_no_referral_to_it(two: Two):
    theirs = _theirs(two)
    list_id, option = _old_list_with(two, theirs)
    sid = option["service_id"]
    etag = two.a.get(f"/services/{sid}", headers=two.as_("partner")).headers["ETag"]
    off = two.a.post(f"/services/{sid}/deactivate", headers={**two.as_("partner"), "If-Match": etag})
    assert off.status_code == 200 and off.json()["offered"] is False

    refused = two.b.post(
        f"/option-lists/{list_id}/choices", json={"option_ids": [option["option_id"]]}, headers=two.as_("cw")
    )
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert sid in error["message"] and "the service is no longer active" in error["message"]
    assert _referrals(two) == 0


def test_a_draft_made_before_the_deactivation_is_not_sent_to_the_partner_who_is_gone(two: Two):
    theirs = _theirs(two)
    list_id, option = _old_list_with(two, theirs)
    made = two.a.post(
        f"/option-lists/{list_id}/choices", json={"option_ids": [option["option_id"]]}, headers=two.as_("cw")
    )
    assert made.status_code == 201, made.text
    [ref] = made.json()["referrals"]
    _deactivate(two)

    refused = two.b.post(f"/referrals/{ref['id']}/transitions", json={"to": "sent"}, headers=two.as_("cw"))
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert option["service_id"] in detail and f"organisation {PARTNER_X!r} is no longer active" in detail
    assert refused.json()["allowed"] == ["closed"]
    assert two.b.get(f"/referrals/{ref['id']}", headers=two.as_("cw")).json()["status"] == "draft"

    on = two.a.post(f"/organizations/{PARTNER_X}/activate", headers=two.as_("root"))
    assert on.status_code == 200
    sent = two.b.post(f"/referrals/{ref['id']}/transitions", json={"to": "sent"}, headers=two.as_("cw"))
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
