"""The age of majority and who receives a child's cash are programme settings of the service."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization


def test_the_age_of_majority_and_the_cash_recipient_come_from_the_settings(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'fc.db'}",
        load_sample=True,
        catalog_check_seconds=0,
        age_of_majority={"TH": 20},
        child_cash_recipient="client",
    )
    app = create_app(settings)
    state = app.state.freechoice
    with state.db.session() as s, s.begin():
        save_organization(s, Organization(id="org-cw", name="Caseworkers (fictional)"), "test")
        key = create_key(s, "org-cw", "caseworker", created_by="test")[1]
    body = copy.deepcopy(ASSESSMENT)
    body["situation"]["age"] = 19
    with TestClient(app) as client:
        r = client.post("/option-lists", json=body, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 201, r.text
    ol = r.json()
    protection = next(n for n in ol["needs"] if n["need"] == "protection")
    assert protection["listed_because"] and "under 20" in protection["listed_because"]
    assert any("protection.child" in o["kinds"] for o in protection["options"])
    assert ol["cash"]["recipient"] == "client" and ol["cash"]["safeguarding"]
