"""Idempotency-Key per the IETF draft: the key is bound to the caller, the endpoint and
the body; a reuse elsewhere is a 422 problem, keys expire, malformed keys are a 400."""

from __future__ import annotations

import datetime as dt

import pytest
from api_support import ASSESSMENT
from sqlalchemy import update

from freechoice.catalog.db.tables import IdempotencyRecord


def _post(world, key, body=ASSESSMENT, who="cw_a", path="/option-lists"):
    return world.client.post(path, json=body, headers={**world.as_(who), "Idempotency-Key": key})


def test_the_same_request_again_is_replayed(world):
    first, again = _post(world, "idem-same-1"), _post(world, "idem-same-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_the_same_key_with_another_body_is_a_422(world):
    assert _post(world, "idem-body-1").status_code == 201
    other = _post(world, "idem-body-1", {**ASSESSMENT, "client_ref": "c-someone-else"})
    assert other.status_code == 422 and other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "another request body" in other.json()["detail"]
    assert "c-someone-else" not in other.text


def test_the_same_key_on_another_endpoint_is_a_422(world):
    created = _post(world, "idem-endpoint-1")
    option = next(o for n in created.json()["needs"] for o in n["options"] if o.get("provider_id"))
    other = _post(
        world,
        "idem-endpoint-1",
        {"option_ids": [option["option_id"]]},
        path=f"/option-lists/{created.json()['id']}/choices",
    )
    assert other.status_code == 422 and "another endpoint" in other.json()["detail"]


def test_keys_are_per_caller(world):
    mine, theirs = _post(world, "idem-caller-1"), _post(world, "idem-caller-1", who="cw_b")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"] and "idempotent-replayed" not in theirs.headers


def test_an_expired_key_is_a_new_request(world):
    first = _post(world, "idem-expire-1")
    state = world.client.app.state.freechoice
    hours = state.settings.idempotency_hours
    with state.db.session() as s, s.begin():
        s.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.key == "idem-expire-1")
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours + 1))
        )
    later = _post(world, "idem-expire-1", {**ASSESSMENT, "client_ref": "c-later"})
    assert later.status_code == 201 and "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert _post(world, "idem-expire-1", {**ASSESSMENT, "client_ref": "c-later"}).json()["id"] == later.json()["id"]


@pytest.mark.parametrize("key", ["k" * 129, "", "tab\there"])
def test_a_malformed_key_is_a_400(world, key):
    r = _post(world, key)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "Idempotency-Key"


def test_the_key_is_documented(world):
    operation = world.client.get("/openapi.json").json()["paths"]["/option-lists"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["schema"]["maxLength"] == 128
    assert {"400", "422"} <= set(operation["responses"])
