"""Concurrent writers through `freechoice serve --workers 2`, on a SQLite file and on
PostgreSQL: a decision read and the write it decides are one transaction, so racing
requests never both win.

Requests are released together from a barrier; whichever interleaving the machine
produces, the assertions hold (they count outcomes, never time them).
"""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X

from freechoice.api import Settings
from freechoice.api.auth import create_key
from freechoice.api.state import AppState
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.engine.referrals import TRANSITIONS

RACERS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, port: int, keys: dict[str, str], log: Path) -> None:
        self.base, self.keys, self.log = f"http://127.0.0.1:{port}", keys, log

    def errors(self) -> str:
        """The server's error lines (tracebacks), for a failing assertion's message."""
        return "\n".join(line for line in self.log.read_text().splitlines() if '"level":"error"' in line)[-6000:]

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}", **extra}


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = AppState(Settings(database_url=database_url, load_sample=True, catalog_check_seconds=0))
    keys = {}
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-cw-race", name="Racing caseworkers (fictional)"), "test")
        keys["cw"] = create_key(s, "org-cw-race", "caseworker", created_by="test")[1]
        keys["partner"] = create_key(s, PARTNER_X, "partner", created_by="test")[1]
    state.close()
    port = _free_port()
    log = tmp_path_factory.mktemp("race") / "serve.log"
    env = dict(os.environ, FREECHOICE_DATABASE_URL=database_url)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "freechoice.api.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start: " + log.read_text()
            time.sleep(0.2)
        yield Server(port, keys, log)
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


def _race(calls: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
    """Run every call at once, each on its own connection, released by one barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[httpx.Client], httpx.Response]) -> httpx.Response:
        with httpx.Client(timeout=120) as client:  # connects on the first request, after the barrier
            barrier.wait()
            return call(client)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_updates_with_the_same_etag_let_exactly_one_win(server: Server):
    url = f"{server.base}/services/svc-songkhla-wage-claim"
    current = httpx.get(url, headers=server.headers("partner"), timeout=30)
    etag, body = current.headers["etag"], current.json()
    version = int(etag.strip('"'))
    service = {k: v for k, v in body.items() if k not in ("version", "updated_at", "updated_by")}

    def put(i: int) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.put(
            url,
            json=dict(service, description=f"Racing update {i} (fictional)."),
            headers=server.headers("partner", **{"If-Match": etag}),
        )

    answers = _race([put(i) for i in range(RACERS)])
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] + [412] * (RACERS - 1), (
        [r.text for r in answers if r.status_code not in (200, 412)],
        server.errors(),
    )
    winner = next(r for r in answers if r.status_code == 200)
    assert winner.headers["etag"] == f'"{version + 1}"'
    versions = httpx.get(f"{url}/versions?limit=500", headers=server.headers("partner"), timeout=30).json()["items"]
    numbers = [v["version"] for v in versions]
    assert numbers == sorted(set(numbers)) and numbers[-1] == version + 1
    now = httpx.get(url, headers=server.headers("partner"), timeout=30).json()
    assert now["description"] == winner.json()["description"]


def _sent_referral(server: Server) -> str:
    with httpx.Client(base_url=server.base, timeout=60) as c:
        body = copy.deepcopy(ASSESSMENT)
        ol = c.post("/option-lists", json=body, headers=server.headers("cw")).json()
        comp = next(n for n in ol["needs"] if n["need"] == "compensation")
        option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
        choice = c.post(
            f"/option-lists/{ol['id']}/choices",
            json={"option_ids": [option["option_id"]]},
            headers=server.headers("cw"),
        )
        assert choice.status_code == 201, (choice.text, server.errors())
        ref = choice.json()["referrals"][0]["id"]
        sent = c.post(f"/referrals/{ref}/transitions", json={"to": "sent"}, headers=server.headers("cw"))
        assert sent.status_code == 200, (sent.text, server.errors())
        return ref


def _legal(history: list[dict[str, Any]]) -> bool:
    if not history or history[0]["from"] is not None or history[0]["to"] != "draft":
        return False
    return all(b["from"] == a["to"] and (b["from"], b["to"]) in TRANSITIONS for a, b in zip(history, history[1:]))


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_referral_moves_leave_a_legal_history(server: Server, round_: int):
    ref = _sent_referral(server)
    url = f"{server.base}/referrals/{ref}/transitions"
    accept = lambda c: c.post(url, json={"to": "accepted"}, headers=server.headers("partner"))  # noqa: E731
    close = lambda c: c.post(
        url,
        json={"to": "closed", "reason": "the client changed their mind"},  # noqa: E731
        headers=server.headers("cw"),
    )
    answers = _race([accept, close] * (RACERS // 2))
    assert all(r.status_code in (200, 409) for r in answers), (
        [r.text for r in answers if r.status_code not in (200, 409)],
        server.errors(),
    )
    history = httpx.get(f"{server.base}/referrals/{ref}", headers=server.headers("cw"), timeout=30).json()["history"]
    assert _legal(history), history
    # every 200 is one step of the history after 'sent', and nothing else is
    assert sum(r.status_code == 200 for r in answers) == len(history) - 2
    assert history[-1]["to"] == "closed"  # the caseworker can close an accepted referral too, so closing always lands
