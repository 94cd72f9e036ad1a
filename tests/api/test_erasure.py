"""Erasure on request: after DELETE /clients/{client_ref}, no row in any table holds the
client_ref, the ids of their records or the words they or their caseworkers gave."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT, PARTNER_X
from db_scan import find
from sqlalchemy import select

from freechoice.catalog.db.tables import AuditEntry, FeedbackRow
from freechoice.rules import default_pack


def _case(world, client_ref: str, who: str = "cw_a", tag: str = "") -> dict[str, str]:
    """One client's whole journey; returns the ids and the free texts it stored."""
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = client_ref
    h = world.as_(who)
    ol = world.client.post("/option-lists", json=body, headers={**h, "Idempotency-Key": f"ol-{client_ref}-{who}"})
    assert ol.status_code == 201, ol.text
    ol = ol.json()
    assert world.client.get(f"/option-lists/{ol['id']}", headers=h).status_code == 200
    assert world.client.get("/option-lists", params={"client_ref": client_ref}, headers=h).status_code == 200
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    note = f"boss keeps passport on the boat {tag}"
    choice = world.client.post(
        f"/option-lists/{ol['id']}/choices",
        json={
            "option_ids": [option["option_id"]],
            "consent": {option["option_id"]: ["languages", "documents"]},
            "note": note,
        },
        headers={**h, "Idempotency-Key": f"ch-{client_ref}-{who}"},
    )
    assert choice.status_code == 201, choice.text
    choice = choice.json()
    ref_id = choice["referrals"][0]["id"]
    reason = f"client moved to a cousin in Ranong {tag}"
    assert (
        world.client.post(
            f"/referrals/{ref_id}/transitions", json={"to": "sent", "reason": reason}, headers=h
        ).status_code
        == 200
    )
    assert world.client.get(f"/referrals/{ref_id}", headers=world.as_("partner_x")).status_code == 200
    assert (
        world.client.post(
            f"/referrals/{ref_id}/transitions", json={"to": "accepted"}, headers=world.as_("partner_x")
        ).status_code
        == 200
    )
    words = f"the lawyer listened to me {tag}"
    fb = world.client.post(
        "/feedback",
        json={"referral_id": ref_id, "need_met": "partly", "satisfaction": 4, "text": words},
        headers={**h, "Idempotency-Key": f"fb-{client_ref}-{who}"},
    )
    assert fb.status_code == 201, fb.text
    return {
        "client_ref": client_ref,
        "option_list": ol["id"],
        "assessment": ol["assessment_id"],
        "choice": choice["id"],
        "referral": ref_id,
        "feedback": fb.json()["id"],
        "note": note,
        "reason": reason,
        "words": words,
    }


def _needles(case: dict[str, str]) -> set[str]:
    return {v for k, v in case.items() if k != "feedback"}


def test_after_erasure_no_row_in_any_table_holds_the_client(world):
    gone = _case(world, "c-erase-7f3a", tag="ERASE-7f3a")
    kept = _case(world, "c-keep-51bd", tag="KEEP-51bd")
    # an admin from another organisation read the assessment (a rules dry-run): audited under the admin's organisation
    pack = default_pack().model_dump(mode="json", exclude_none=True)
    dry = world.client.post(
        "/rules/dry-run", json={"pack": pack, "assessment_id": gone["assessment"]}, headers=world.as_("admin")
    )
    assert dry.status_code == 200, dry.text
    engine = world.client.app.state.freechoice.db.engine
    assert {t for t, _, _ in find(engine, _needles(gone))} >= {
        "assessments",
        "option_lists",
        "choices",
        "referrals",
        "referral_events",
        "feedback",
        "audit_log",
        "idempotency",
    }

    r = world.client.delete("/clients/c-erase-7f3a", headers=world.as_("cw_a"))
    assert r.status_code == 200, r.text
    erased = r.json()["erased"]
    assert erased["option_lists"] == 1 and erased["assessments"] == 1 and erased["choices"] == 1
    assert erased["referrals"] == 1 and erased["referral_events"] == 3 and erased["feedback_unlinked"] == 1
    assert erased["idempotency_records"] == 3 and erased["audit_entries_anonymised"] >= 7

    assert find(engine, _needles(gone)) == []
    # the other client is untouched
    assert {n for _, _, n in find(engine, _needles(kept))} == _needles(kept)
    assert world.client.get(f"/option-lists/{kept['option_list']}", headers=world.as_("cw_a")).status_code == 200
    assert world.client.get(f"/referrals/{kept['referral']}", headers=world.as_("cw_a")).status_code == 200
    # gone over HTTP as well
    assert world.client.get(f"/option-lists/{gone['option_list']}", headers=world.as_("cw_a")).status_code == 404
    assert world.client.get(f"/referrals/{gone['referral']}", headers=world.as_("partner_x")).status_code == 404
    assert world.client.get(f"/choices/{gone['choice']}", headers=world.as_("cw_a")).status_code == 404

    state = world.client.app.state.freechoice
    with state.db.session() as s:
        # the rating stays for the service's quality signal, anonymous and without the client's words
        rating = s.get(FeedbackRow, gone["feedback"])
        assert rating is not None and rating.referral_id is None and rating.text is None and rating.satisfaction == 4
        # one audit entry records the erasure, without personal data
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "erase")))
    assert len(entries) == 1
    assert entries[0].client_ref is None and entries[0].resource_id is None
    assert entries[0].detail["organization"] == "org-cw-a" and entries[0].detail["option_lists"] == 1

    again = world.client.delete("/clients/c-erase-7f3a", headers=world.as_("cw_a"))
    assert again.status_code == 404 and again.headers["content-type"].startswith("application/problem+json")


def test_only_the_owning_organisation_or_an_admin_can_erase(world):
    mine = _case(world, "c-shared-ref-9", who="cw_a", tag="ORG-A-c9")
    theirs = _case(world, "c-shared-ref-9", who="cw_b", tag="ORG-B-c9")  # same pseudonym, another person
    engine = world.client.app.state.freechoice.db.engine

    assert world.client.delete("/clients/c-shared-ref-9", headers=world.as_("partner_x")).status_code == 403
    other = world.client.delete(
        "/clients/c-shared-ref-9", params={"organization_id": "org-cw-a"}, headers=world.as_("cw_b")
    )
    assert other.status_code == 404
    no_org = world.client.delete("/clients/c-shared-ref-9", headers=world.as_("admin"))
    assert no_org.status_code == 422 and no_org.json()["errors"][0]["field"] == "organization_id"
    assert find(engine, {mine["note"], mine["option_list"]}), "nothing was erased by a refused request"

    ok = world.client.delete(
        "/clients/c-shared-ref-9", params={"organization_id": "org-cw-b"}, headers=world.as_("admin")
    )
    assert ok.status_code == 200, ok.text
    assert find(engine, _needles(theirs) - {"c-shared-ref-9"}) == []
    # organisation A's client with the same pseudonym keeps everything
    assert {n for _, _, n in find(engine, _needles(mine))} == _needles(mine)
    assert world.client.get(f"/option-lists/{mine['option_list']}", headers=world.as_("cw_a")).status_code == 200
