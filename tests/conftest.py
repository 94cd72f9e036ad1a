"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

# Property tests draw the same examples on every run (derandomized), so CI passes or fails
# on the code, never on the draw. `HYPOTHESIS_PROFILE=explore` draws new examples each run
# (and more of them) to look for what the fixed draw misses. No deadline and no "too slow"
# health check: a busy machine must not fail a property (speed is measured in bench/).
_CALM = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("default", derandomize=True, database=None, **_CALM)
settings.register_profile("explore", max_examples=500, **_CALM)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PG_URL = os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        return str(err).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    problem = _pg_reachable()
    if problem is None:
        return True
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL must be reachable in CI at {PG_URL}: {problem}")
    return False


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "freechoice.db"
        yield f"sqlite:///{path}"
        return
    if not request.getfixturevalue("postgres_available"):
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = "fc_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- a real browser (tests/browser_support.py): installed on first use, one per session -------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    from browser_support import ensure_browser_tools

    return ensure_browser_tools()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """One headless Debian Chromium per test module (Playwright's sync API).

    Per module, not per session: while Playwright's sync API is open it holds an event
    loop as the thread's running loop, and later tests that call ``asyncio.run`` (the
    server's background tasks) would fail beside it.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page 360 px wide (a cheap phone); tests resize it when they need to."""
    context = browser.new_context(viewport={"width": 360, "height": 780})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def artefacts() -> object:
    """``test-artefacts/``: screenshots and PDFs the browser tests keep for people to look at."""
    from browser_support import ARTEFACTS

    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS
