"""The real app served over real HTTP (uvicorn on an ephemeral port, in a thread), on a
real database, with fictional organisations and a key for each role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_support import Live, serve, settings_for


@pytest.fixture(scope="module")
def live(database_url: str) -> Iterator[Live]:
    with serve(settings_for(database_url)) as running:
        yield running
