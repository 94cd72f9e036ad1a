"""An unexpected error, over real HTTP: an RFC 9457 problem with the request id, logged
with its traceback, and the client's keep-alive connection stays usable."""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from freechoice.api import Settings, create_app


@pytest.fixture
def server(tmp_path: Path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'errors.db'}", log_format="inherit"))

    def fails() -> None:
        raise RuntimeError("a deliberate failure inside a route")

    app.add_api_route("/fails", fails)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:  # waiting for start-up only; no outcome depends on timing
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield port
    srv.should_exit = True
    thread.join(timeout=30)


def test_unexpected_error_is_a_problem_with_request_id_and_keeps_the_connection(server, caplog):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    with caplog.at_level(logging.ERROR, logger="freechoice"):
        conn.request("GET", "/fails", headers={"X-Request-ID": "trace-500-a"})
        r = conn.getresponse()
        body = json.loads(r.read())
    assert r.status == 500
    assert r.getheader("content-type").startswith("application/problem+json")
    assert r.getheader("x-request-id") == "trace-500-a"
    assert body["status"] == 500 and body["request_id"] == "trace-500-a" and "request id" in body["detail"]
    assert "deliberate" not in json.dumps(body)  # the cause goes to the log, not to the caller
    assert any(rec.exc_info and "deliberate" in str(rec.exc_info[1]) for rec in caplog.records)
    sock = conn.sock
    assert sock is not None and r.getheader("connection") != "close"
    conn.request("GET", "/healthz")  # the same connection
    again = conn.getresponse()
    assert again.status == 200 and json.loads(again.read()) == {"status": "alive"}
    assert conn.sock is sock
    # an id that is not a short token is replaced by one of ours
    conn.request("GET", "/healthz", headers={"X-Request-ID": "bad id with spaces"})
    third = conn.getresponse()
    third.read()
    assert third.getheader("x-request-id") not in (None, "bad id with spaces")
    conn.close()
