"""Keys, organisations and feedback codes, seen through two workers on one database.

Worker ``a`` and worker ``b`` are two app instances on the same SQLite file or
PostgreSQL schema, as two ``serve --workers`` processes are. ``b`` remembers verified
keys for an hour, so only the access revision can make it drop one; both read that
revision before every request here (``access_check_seconds=0``); the interval itself
is tested with a clock the test moves (``test_key_cache_*``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X, every_item
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.api.state import KeyCache
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.tables import AuditEntry


@dataclass
class Pair:
    a: TestClient
    b: TestClient
    keys: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def key_id(self, who: str) -> str:
        return self.keys[who].split("_")[1]

    def new_key(self, name: str, org: str, role: str) -> None:
        r = self.a.post("/keys", json={"organization_id": org, "role": role}, headers=self.as_("root"))
        assert r.status_code == 201, r.text
        self.keys[name] = r.json()["key"]

    def audit_count(self, action: str, resource_id: str) -> int:
        state = self.a.app.state.freechoice  # type: ignore[attr-defined]
        with state.db.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.action == action, AuditEntry.resource_id == resource_id)
                )
                or 0
            )


def _settings(url: str, **extra: Any) -> Settings:
    base: dict[str, Any] = dict(
        database_url=url,
        load_sample=True,
        catalog_check_seconds=0,
        key_cache_seconds=3600,
        access_check_seconds=0,
        quality_seconds=0,
    )
    return Settings(**{**base, **extra})


@pytest.fixture
def pair(database_url: str, request: pytest.FixtureRequest) -> Iterator[Pair]:
    """Two workers on a fresh database with a secretariat (one admin key), two
    caseworker organisations and a partner."""
    extra = getattr(request, "param", {})
    app_a, app_b = create_app(_settings(database_url, **extra)), create_app(_settings(database_url, **extra))
    state = app_a.state.freechoice
    keys = {}
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-sec", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-x", name="Caseworkers X (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-y", name="Caseworkers Y (fictional)"), "test")
        keys["root"] = create_key(s, "org-sec", "admin", created_by="test")[1]
        keys["cw"] = create_key(s, "org-cw-x", "caseworker", created_by="test")[1]
        keys["cw_y"] = create_key(s, "org-cw-y", "caseworker", created_by="test")[1]
        keys["partner"] = create_key(s, PARTNER_X, "partner", created_by="test")[1]
    try:
        with TestClient(app_a) as a, TestClient(app_b) as b:
            yield Pair(a, b, keys)
    finally:
        state.db.downgrade("base")
        state.db.dispose()  # the downgrade ran after the app closed: close its connection too


# ------------------------------------------------------------------- revoking keys
def test_a_revoked_key_stops_in_the_other_worker_at_once_and_revoking_again_is_a_no_op(pair: Pair):
    assert pair.b.get("/option-lists", headers=pair.as_("cw")).status_code == 200  # b now remembers the key
    key_id = pair.key_id("cw")
    assert pair.a.delete(f"/keys/{key_id}", headers=pair.as_("root")).status_code == 204
    refused = pair.b.get("/option-lists", headers=pair.as_("cw"))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert pair.a.get("/option-lists", headers=pair.as_("cw")).status_code == 401
    for worker in (pair.a, pair.b):  # again, through either worker: the same answer, nothing recorded twice
        again = worker.delete(f"/keys/{key_id}", headers=pair.as_("root"))
        assert again.status_code == 204 and again.content == b""
    assert pair.audit_count("revoke", key_id) == 1
    listed = {k["id"]: k for k in every_item(pair.b, "/keys", headers=pair.as_("root"))}
    assert listed[key_id]["revoked"] is True
    assert pair.a.delete("/keys/no-such-key", headers=pair.as_("root")).status_code == 404


def test_the_last_working_admin_key_cannot_be_revoked(pair: Pair):
    root = pair.key_id("root")
    last = pair.a.delete(f"/keys/{root}", headers=pair.as_("root"))
    assert last.status_code == 409 and "no working admin key" in last.json()["detail"]
    assert pair.b.get("/keys", headers=pair.as_("root")).status_code == 200  # still works
    pair.new_key("admin2", "org-cw-y", "admin")
    assert pair.a.delete(f"/keys/{root}", headers=pair.as_("root")).status_code == 204  # another admin remains
    assert pair.b.get("/keys", headers=pair.as_("root")).status_code == 401
    own = pair.b.delete(f"/keys/{pair.key_id('admin2')}", headers=pair.as_("admin2"))
    assert own.status_code == 409
    assert pair.a.get("/keys", headers=pair.as_("admin2")).status_code == 200


def test_two_admins_revoking_each_other_at_once_leave_one_working(pair: Pair):
    pair.new_key("admin2", "org-cw-y", "admin")
    pair.a.delete(f"/keys/{pair.key_id('root')}", headers=pair.as_("root"))  # root gone: admin1 and admin2 remain
    first = pair.b.post("/keys", json={"organization_id": "org-sec", "role": "admin"}, headers=pair.as_("admin2"))
    pair.keys["admin1"] = first.json()["key"]
    barrier = threading.Barrier(2)

    def revoke(worker: TestClient, who: str, whom: str) -> int:
        barrier.wait()
        return worker.delete(f"/keys/{pair.key_id(whom)}", headers=pair.as_(who)).status_code

    with ThreadPoolExecutor(2) as pool:
        one = pool.submit(revoke, pair.a, "admin1", "admin2")
        two = pool.submit(revoke, pair.b, "admin2", "admin1")
        outcomes = sorted([one.result(), two.result()])
    assert outcomes in ([204, 401], [204, 409])  # the second is refused: by its revoked key, or as the last admin
    working = [who for who in ("admin1", "admin2") if pair.a.get("/keys", headers=pair.as_(who)).status_code == 200]
    assert len(working) == 1


# ------------------------------------------------------------ deactivating an organisation
def test_deactivating_an_organization_stops_its_keys_everywhere_and_keeps_its_data(pair: Pair):
    ol = pair.b.post("/option-lists", json=ASSESSMENT, headers=pair.as_("cw"))
    assert ol.status_code == 201, ol.text
    off = pair.a.post("/organizations/org-cw-x/deactivate", headers=pair.as_("root"))
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["deactivated_at"]
    refused = pair.b.get(f"/option-lists/{ol.json()['id']}", headers=pair.as_("cw"))
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]
    assert pair.b.get("/option-lists", headers=pair.as_("cw_y")).status_code == 200  # other organisations go on
    again = pair.b.post("/organizations/org-cw-x/deactivate", headers=pair.as_("root"))
    assert again.status_code == 200 and again.json() == off.json()
    assert pair.audit_count("deactivate", "org-cw-x") == 1
    assert pair.a.get("/organizations/org-cw-x", headers=pair.as_("cw_y")).status_code == 200
    listed = [k for k in every_item(pair.a, "/keys", headers=pair.as_("root")) if k["organization_id"] == "org-cw-x"]
    assert listed and all(k["organization_active"] is False and k["revoked"] is False for k in listed)
    no_key = pair.a.post("/keys", json={"organization_id": "org-cw-x", "role": "caseworker"}, headers=pair.as_("root"))
    assert no_key.status_code == 409 and "deactivated" in no_key.json()["detail"]
    on = pair.a.post("/organizations/org-cw-x/activate", headers=pair.as_("root"))
    assert on.status_code == 200 and on.json() == {"id": "org-cw-x", "active": True, "deactivated_at": None}
    kept = pair.b.get(f"/option-lists/{ol.json()['id']}", headers=pair.as_("cw"))
    assert kept.status_code == 200 and kept.json()["id"] == ol.json()["id"]


def _offered_by(option_list: dict[str, Any], services: set[str]) -> set[str]:
    """The services of ``services`` an option list names anywhere (options, pathway steps, ways forward)."""

    def ids(value: Any) -> set[str]:
        if isinstance(value, dict):
            own = {value["service_id"]} if value.get("service_id") in services else set()
            return own.union(*(ids(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(ids(v) for v in value))
        return set()

    return ids(option_list)


def test_a_deactivated_organizations_services_are_not_offered_in_any_worker_until_it_is_active_again(pair: Pair):
    theirs = {s["id"] for s in every_item(pair.a, f"/services?organization_id={PARTNER_X}", headers=pair.as_("root"))}
    body = ASSESSMENT | {"client_ref": "c-org-off"}
    before = pair.b.post("/option-lists?all_needs=true", json=body, headers=pair.as_("cw"))
    assert before.status_code == 201, before.text
    assert _offered_by(before.json(), theirs)  # the partner's services are offered to this client

    off = pair.a.post(f"/organizations/{PARTNER_X}/deactivate", headers=pair.as_("root"))
    assert off.status_code == 200 and off.json()["active"] is False
    for worker in (pair.a, pair.b):  # the one that wrote it and the other
        during = worker.post("/option-lists?all_needs=true", json=body, headers=pair.as_("cw"))
        assert during.status_code == 201, during.text
        assert not _offered_by(during.json(), theirs)
        assert during.json()["catalog_version"] != before.json()["catalog_version"]
    # the services are kept, as they were
    kept = pair.a.get(f"/services/{sorted(theirs)[0]}", headers=pair.as_("root"))
    assert kept.status_code == 200 and kept.json()["status"] == "active"

    on = pair.a.post(f"/organizations/{PARTNER_X}/activate", headers=pair.as_("root"))
    assert on.status_code == 200 and on.json()["active"] is True
    again = pair.b.post("/option-lists?all_needs=true", json=body, headers=pair.as_("cw"))
    assert _offered_by(again.json(), theirs) == _offered_by(before.json(), theirs)
    assert again.json()["catalog_version"] == before.json()["catalog_version"]


def test_deactivating_the_organization_of_every_admin_key_is_refused(pair: Pair):
    refused = pair.a.post("/organizations/org-sec/deactivate", headers=pair.as_("root"))
    assert refused.status_code == 409 and "no working admin key" in refused.json()["detail"]
    assert pair.b.get("/keys", headers=pair.as_("root")).status_code == 200
    assert pair.a.post("/organizations/org-nope/deactivate", headers=pair.as_("root")).status_code == 404
    assert pair.a.post("/organizations/org-cw-y/deactivate", headers=pair.as_("cw")).status_code == 403


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_through_serve_workers_revocation_and_deactivation_stop_keys_in_every_worker(database_url: str, tmp_path: Path):
    """The real two-process server: every fresh connection after the change is refused,
    whichever worker takes it, though each worker remembers keys for an hour."""
    from freechoice.api.state import AppState

    state = AppState(_settings(database_url))
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-sec", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-x", name="Caseworkers X (fictional)"), "test")
        root = create_key(s, "org-sec", "admin", created_by="test")[1]
        cw, cw2 = (create_key(s, "org-cw-x", "caseworker", created_by="test")[1] for _ in range(2))
    port, log = _free_port(), tmp_path / "serve.log"
    env = dict(
        os.environ,
        FREECHOICE_DATABASE_URL=database_url,
        FREECHOICE_KEY_CACHE_SECONDS="3600",
        FREECHOICE_ACCESS_CHECK_SECONDS="0",
    )
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "freechoice.api.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def statuses(token: str) -> set[int]:  # twelve fresh connections, spread over the workers by the server
        return {
            httpx.get(
                f"{base}/keys" if token == root else f"{base}/option-lists",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ).status_code
            for _ in range(12)
        }

    try:
        deadline = time.monotonic() + 120
        while True:  # waits for the server to answer; what is asserted below does not depend on time
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start: " + log.read_text()
            time.sleep(0.2)
        assert statuses(cw) == {200} and statuses(cw2) == {200}
        assert (
            httpx.delete(f"{base}/keys/{cw.split('_')[1]}", headers={"Authorization": f"Bearer {root}"}).status_code
            == 204
        )
        assert statuses(cw) == {401} and statuses(cw2) == {200}
        off = httpx.post(f"{base}/organizations/org-cw-x/deactivate", headers={"Authorization": f"Bearer {root}"})
        assert off.status_code == 200
        assert statuses(cw2) == {401} and statuses(root) == {200}
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
        state.db.downgrade("base")
        state.close()


# ------------------------------------------------------------------- feedback codes
def _sent_referral(pair: Pair) -> dict[str, Any]:
    ol = pair.a.post("/option-lists", json=ASSESSMENT, headers=pair.as_("cw")).json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    choice = pair.a.post(
        f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=pair.as_("cw")
    ).json()
    ref = choice["referrals"][0]
    early = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw"))
    assert early.status_code == 409 and "Send the referral first" in early.json()["detail"]
    sent = pair.a.post(f"/referrals/{ref['id']}/transitions", json={"to": "sent"}, headers=pair.as_("cw"))
    assert sent.status_code == 200, sent.text
    return {"id": ref["id"], "service_id": option["service_id"]}


def _ratings(pair: Pair, service_id: str) -> int:
    ol = pair.a.post("/option-lists", json=ASSESSMENT, headers=pair.as_("cw")).json()
    found = [o.get("quality") for n in ol["needs"] for o in n["options"] if o["service_id"] == service_id]
    return int(found[0]["ratings"]) if found and found[0] else 0


def test_feedback_with_the_clients_code_needs_no_key_counts_once_and_feeds_the_ranking(pair: Pair):
    ref = _sent_referral(pair)
    before = _ratings(pair, ref["service_id"])
    issued = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw"))
    assert issued.status_code == 201 and issued.json()["token"].startswith("fbt_")
    assert pair.b.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw_y")).status_code == 404
    token = issued.json()["token"]
    given = pair.b.post("/feedback", json={"token": token, "need_met": "yes", "satisfaction": 5})  # no API key
    assert given.status_code == 201, given.text
    body = given.json()
    assert body["via"] == "token" and body["referral_id"] is None and body["service_id"] == ref["service_id"]
    assert "token" not in body
    assert _ratings(pair, ref["service_id"]) == before + 1
    twice = pair.a.post("/feedback", json={"token": token, "need_met": "no", "satisfaction": 1})
    assert twice.status_code == 409 and "already been used" in twice.json()["detail"]
    by_caseworker = pair.a.post(
        "/feedback", json={"referral_id": ref["id"], "need_met": "no", "satisfaction": 1}, headers=pair.as_("cw")
    )
    assert by_caseworker.status_code == 409  # this referral's feedback is in
    assert pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw")).status_code == 409
    assert _ratings(pair, ref["service_id"]) == before + 1


def test_feedback_not_tied_to_a_real_referral_is_refused_and_feeds_nothing(pair: Pair):
    ref = _sent_referral(pair)
    before = _ratings(pair, ref["service_id"])
    unlinked = pair.a.post("/feedback", json={"service_id": ref["service_id"], "need_met": "yes", "satisfaction": 5})
    assert unlinked.status_code == 422 and unlinked.json()["errors"][0]["field"] == "token"
    made_up = pair.a.post("/feedback", json={"token": "fbt_" + "A" * 24, "need_met": "yes", "satisfaction": 5})
    assert made_up.status_code == 422 and made_up.json()["errors"][0]["field"] == "token"
    no_key = pair.a.post("/feedback", json={"referral_id": ref["id"], "need_met": "yes", "satisfaction": 5})
    assert no_key.status_code == 401
    partner = pair.a.post(
        "/feedback", json={"referral_id": ref["id"], "need_met": "yes", "satisfaction": 5}, headers=pair.as_("partner")
    )
    assert partner.status_code == 403
    other_org = pair.a.post(
        "/feedback", json={"referral_id": ref["id"], "need_met": "yes", "satisfaction": 5}, headers=pair.as_("cw_y")
    )
    assert other_org.status_code == 404
    # a replaced code stops: only the newest one counts
    first = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw")).json()["token"]
    second = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw")).json()["token"]
    assert pair.a.post("/feedback", json={"token": first, "need_met": "yes", "satisfaction": 5}).status_code == 422
    wrong_service = pair.a.post(
        "/feedback", json={"token": second, "service_id": "svc-nope", "need_met": "yes", "satisfaction": 5}
    )
    assert wrong_service.status_code == 422 and wrong_service.json()["errors"][0]["field"] == "service_id"
    assert _ratings(pair, ref["service_id"]) == before
    assert pair.a.post("/feedback", json={"token": second, "need_met": "yes", "satisfaction": 5}).status_code == 201


def test_erasing_a_referral_takes_its_feedback_code_with_it(pair: Pair):
    from sqlalchemy import delete

    from freechoice.catalog.db.tables import FeedbackToken, ReferralEvent, ReferralRow

    ref = _sent_referral(pair)
    token = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw")).json()["token"]
    state = pair.a.app.state.freechoice  # type: ignore[attr-defined]
    with state.db.writing() as s:  # what erasing a client's referral does
        s.execute(delete(ReferralEvent).where(ReferralEvent.referral_id == ref["id"]))
        s.execute(delete(ReferralRow).where(ReferralRow.id == ref["id"]))
    with state.db.session() as s:
        assert s.get(FeedbackToken, ref["id"]) is None
    gone = pair.b.post("/feedback", json={"token": token, "need_met": "yes", "satisfaction": 5})
    assert gone.status_code == 422


# ---------------------------------------------------------------------- rate limits
@pytest.mark.parametrize("pair", [{"feedback_per_address": 2, "feedback_per_key": 3}], indirect=True)
def test_feedback_is_rate_limited_per_key_and_per_address(pair: Pair):
    bad_code = {"token": "fbt_" + "B" * 24, "need_met": "yes", "satisfaction": 5}
    assert [pair.a.post("/feedback", json=bad_code).status_code for _ in range(2)] == [422, 422]
    limited = pair.a.post("/feedback", json=bad_code)
    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1 and "at most 2 per 60 seconds" in limited.json()["detail"]
    no_link = {"need_met": "yes", "satisfaction": 5}
    assert [pair.a.post("/feedback", json=no_link, headers=pair.as_("cw")).status_code for _ in range(4)] == [
        422
    ] * 3 + [429]
    assert pair.a.post("/feedback", json=no_link, headers=pair.as_("cw_y")).status_code == 422  # each key its own count


# --------------------------------------------------------- the revision check interval
class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_key_cache_rereads_the_revision_after_check_seconds_and_then_forgets_every_key():
    clock = _Clock()
    cache = KeyCache(ttl=3600, check_seconds=0.25, clock=clock)
    assert cache.check_due()
    cache.observe(7)
    cache.put("tok", "principal", 7)
    clock.now += 0.2
    assert not cache.check_due() and cache.get("tok") == "principal"
    clock.now += 0.05
    assert cache.check_due()
    cache.observe(7)  # unchanged: the key stays
    assert cache.get("tok") == "principal"
    clock.now += 0.25
    cache.observe(8)  # a key was revoked somewhere: every remembered key goes
    assert cache.get("tok") is None


def test_key_cache_does_not_remember_a_key_verified_before_the_revision_moved():
    cache = KeyCache(ttl=3600, check_seconds=0.25, clock=_Clock())
    cache.observe(1)
    cache.observe(2)  # moved while the key was being verified at revision 1
    cache.put("tok", "principal", 1)
    assert cache.get("tok") is None


def test_an_expired_feedback_code_is_refused_plainly_and_an_open_one_says_when_it_ends(pair: Pair):
    import datetime as dt

    from freechoice.api.routes.feedback import code_state
    from freechoice.catalog.db.tables import FeedbackToken

    ref = _sent_referral(pair)
    issued = pair.a.post(f"/referrals/{ref['id']}/feedback-token", headers=pair.as_("cw")).json()
    ends = dt.datetime.fromisoformat(issued["expires_at"])
    assert dt.timedelta(days=29) < ends - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)
    state = pair.a.app.state.freechoice  # type: ignore[attr-defined]
    with state.db.session() as s:
        assert code_state(s, issued["token"]) == "open"
        assert code_state(s, issued["token"], now=ends) == "expired"
        assert code_state(s, "fbt_" + "B" * 24) == "unknown" and code_state(s, "not a code") == "unknown"
    with state.db.writing() as s:  # the clock moves past the end
        s.get(FeedbackToken, ref["id"]).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    late = pair.b.post("/feedback", json={"token": issued["token"], "need_met": "yes", "satisfaction": 4})
    assert late.status_code == 410 and "expired" in late.json()["detail"]
    with state.db.session() as s:
        assert code_state(s, issued["token"]) == "expired"
