"""Client fields encrypted at rest: with FREECHOICE_DATA_KEY set, what a client said or
chose is not in the database in plain text, and reads give it back unchanged."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_support import ASSESSMENT, PARTNER_X
from db_scan import find
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.sealing import SEALED_COLUMNS, SealedJSON, SealedText, generate_key
from freechoice.catalog.db.tables import Base

KEY = generate_key()
# words only the client's records hold (the catalog and the rules hold none of them)
NOTE = "brother-in-law owes the broker 40,000 baht"
REASON = "client is afraid the employer will find her"
WORDS = "they treated me like a person again"
FIELD = '"no_contact_with"'  # a field name only an assessment carries
PLAN_NOTE = "to repay my cousin for the bus fare"  # a spending plan note (issue 12)
FOLLOW_UP_WORDS = "I sleep without fear now"  # the client's words at a follow-up


def _journey(client: TestClient, cw: dict[str, str], partner: dict[str, str]) -> dict[str, object]:
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = "c-sealed-1"
    ol = client.post("/option-lists", json=body, headers={**cw, "Idempotency-Key": "sealed-1"})
    assert ol.status_code == 201, ol.text
    ol = ol.json()
    comp = next(n for n in ol["needs"] if n["need"] == "compensation")
    option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
    choice = client.post(
        f"/option-lists/{ol['id']}/choices",
        headers=cw,
        json={
            "option_ids": [option["option_id"]],
            "note": NOTE,
            "consent": {option["option_id"]: ["languages", "no_contact_with"]},
        },
    ).json()
    ref = choice["referrals"][0]["id"]
    # the partner's webhook: its secret, and the decline's reason waiting in the outbox
    hook = client.post("/webhooks", json={"url": "http://127.0.0.1:9/in"}, headers=partner)
    assert hook.status_code == 201, hook.text
    assert client.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=cw).status_code == 200
    declined = client.post(f"/referrals/{ref}/transitions", json={"to": "declined", "reason": REASON}, headers=partner)
    assert declined.status_code == 200, declined.text
    fb = client.post(
        "/feedback", json={"referral_id": ref, "need_met": "no", "satisfaction": 2, "text": WORDS}, headers=cw
    )
    assert fb.status_code == 201
    cash_list = client.post("/option-lists", json=body, headers=cw).json()
    cash = client.post(
        f"/option-lists/{cash_list['id']}/choices",
        json={"option_ids": ["cash"], "spending_plan": [{"need": "housing", "amount": 100, "note": PLAN_NOTE}]},
        headers=cw,
    )
    assert cash.status_code == 201, cash.text
    fu = client.post("/clients/c-sealed-1/follow-ups", json={"on": "2026-01-05", "words": FOLLOW_UP_WORDS}, headers=cw)
    assert fu.status_code == 201, fu.text
    return {"option_list": ol, "choice": choice, "referral": ref, "webhook_secret": hook.json()["secret"]}


@pytest.fixture(scope="module", params=["with key", "without key"])
def sealed_world(
    request: pytest.FixtureRequest, database_url: str
) -> Iterator[tuple[TestClient, dict[str, object], bool]]:
    keyed = request.param == "with key"
    app = create_app(
        Settings(
            database_url=database_url,
            load_sample=True,
            data_key=KEY if keyed else None,
            webhook_delivery=False,
            webhook_private_addresses=True,
        )
    )
    state = app.state.freechoice
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-cw-sealed", name="Caseworkers (fictional)"), "test")
        cw = {"Authorization": "Bearer " + create_key(s, "org-cw-sealed", "caseworker", created_by="test")[1]}
        partner = {"Authorization": "Bearer " + create_key(s, PARTNER_X, "partner", created_by="test")[1]}
    with TestClient(app) as client:
        made = _journey(client, cw, partner)
        yield client, {"made": made, "cw": cw, "partner": partner}, keyed
    state.db.downgrade("base")


def test_raw_rows_hold_no_plaintext_needs_or_words(sealed_world):
    client, ctx, keyed = sealed_world
    engine = client.app.state.freechoice.db.engine
    secret = ctx["made"]["webhook_secret"]
    secrets = {NOTE, REASON, WORDS, FIELD, PLAN_NOTE, FOLLOW_UP_WORDS, secret}
    found = find(engine, secrets)
    if not keyed:
        # the same scan sees every one of them when nothing is encrypted
        assert {n for _, _, n in found} == secrets
        assert ("webhook_deliveries", "payload", REASON) in found  # the decline, waiting to be sent
        return
    assert found == []
    # client_ref stays searchable (a pseudonym), in its own columns only
    assert {(t, c) for t, c, _ in find(engine, {"c-sealed-1"})} <= {
        ("assessments", "client_ref"),
        ("option_lists", "client_ref"),
        ("audit_log", "client_ref"),
        ("transfers", "client_ref"),
        ("spending_plans", "client_ref"),
        ("follow_ups", "client_ref"),
    }


def test_the_database_file_holds_no_plaintext(sealed_world):
    client, _, keyed = sealed_world
    db = client.app.state.freechoice.db
    if not db.is_sqlite:
        pytest.skip("a file check for SQLite; the row scan covers PostgreSQL")
    path = Path(db.engine.url.database)
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    words = {NOTE, REASON, WORDS, PLAN_NOTE, FOLLOW_UP_WORDS}
    present = {w for w in words if w.encode() in raw}
    assert present == (set() if keyed else words)


def test_reads_give_back_exactly_what_was_stored(sealed_world):
    client, ctx, _ = sealed_world
    made, cw, partner = ctx["made"], ctx["cw"], ctx["partner"]
    ol = made["option_list"]
    assert client.get(f"/option-lists/{ol['id']}", headers=cw).json() == ol
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = "c-sealed-1"
    replay = client.post("/option-lists", json=body, headers={**cw, "Idempotency-Key": "sealed-1"})
    assert replay.headers.get("idempotent-replayed") == "true" and replay.json() == ol
    assert client.get(f"/choices/{made['choice']['id']}", headers=cw).json()["note"] == NOTE
    seen = client.get(f"/referrals/{made['referral']}", headers=partner).json()
    assert seen["client"]["no_contact_with"] == ["immigration"]
    assert seen["history"][-1]["reason"] == REASON
    plan = client.get("/clients/c-sealed-1/spending-plan", headers=cw).json()
    assert plan["lines"][0]["note"] == PLAN_NOTE
    assert client.get("/clients/c-sealed-1/follow-ups", headers=cw).json()["items"][0]["words"] == FOLLOW_UP_WORDS


def test_every_client_data_column_is_sealed_and_listed():
    declared = {
        (t.name, c.name)
        for t in Base.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, (SealedJSON, SealedText))
    }
    assert declared == {(t, c) for t, _, c, _ in SEALED_COLUMNS}
    for table, keys, _, _ in SEALED_COLUMNS:
        assert tuple(c.name for c in Base.metadata.tables[table].primary_key.columns) == keys


def test_a_wrong_key_is_a_clear_server_problem(sealed_world, database_url):
    client, ctx, keyed = sealed_world
    if not keyed:
        pytest.skip("needs rows written with a key")
    other = create_app(Settings(database_url=database_url, data_key=generate_key(), auto_migrate=False))
    with TestClient(other, raise_server_exceptions=False) as wrong:
        r = wrong.get(f"/option-lists/{ctx['made']['option_list']['id']}", headers=ctx["cw"])
    assert r.status_code == 500 and "FREECHOICE_DATA_KEY" in r.json()["detail"]
    assert KEY not in r.text
