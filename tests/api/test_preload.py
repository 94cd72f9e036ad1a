"""`serve --workers N` loads the catalog once, before the fork: a worker built on that
preloaded catalog starts with the very catalog and tags a worker loading its own has,
and catches up on what changed between the load and its start."""

from __future__ import annotations

from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.state import preload_catalog
from freechoice.catalog import Capacity
from freechoice.catalog.db import Database, save_service


def test_a_worker_on_the_preloaded_catalog_catches_up_and_answers_as_one_loading_its_own(tmp_path):
    url = f"sqlite:///{tmp_path / 'fc.db'}"
    settings = Settings(database_url=url, load_sample=True, catalog_snapshot=str(tmp_path / "snap.json"))
    create_app(settings).state.freechoice.close()  # migrates and loads the sample
    preloaded = preload_catalog(settings)

    # a change written after the parent loaded the catalog, before the worker starts
    db = Database(url)
    svc = next(s for s in preloaded.catalog if s.status == "active")
    with db.writing() as s:
        save_service(s, svc.model_copy(update={"capacity": Capacity(status="full")}), "test", "capacity")
    db.dispose()

    worker = create_app(settings, preloaded=preloaded)
    own = create_app(settings)
    with TestClient(worker), TestClient(own):
        a, b = worker.state.freechoice, own.state.freechoice
        assert a.catalog is preloaded.catalog  # shared, not loaded again
        assert a.catalog.service(svc.id).capacity.status == "full"
        assert a.catalog.version == b.catalog.version
        active = [s.id for s in b.catalog if s.status == "active"]
        assert a.rules.service_tags(a.catalog, active) == b.rules.service_tags(b.catalog, active)
