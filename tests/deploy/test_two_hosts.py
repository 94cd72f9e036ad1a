"""The compose topology without containers: two app hosts, each in its own network
namespace, behind HAProxy (Debian's package), on one PostgreSQL. A catalog change and
a referral move made through one host are seen through the other, and through the
balancer.

Needs Linux, root (network namespaces) and the PostgreSQL server on this machine
(reached from the namespaces through its UNIX socket). HAProxy is installed with
apt-get when missing. Every wait is for a state, with a deadline.
"""

from __future__ import annotations

import copy
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import ASSESSMENT, PARTNER_X
from sqlalchemy import create_engine, text

from freechoice.api import Settings
from freechoice.api.auth import create_key
from freechoice.api.state import AppState
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization

SOCKET_DIR = "/var/run/postgresql"
PG_URL = os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _missing() -> str | None:
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs Linux and root for network namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2 (ip)"
    if not Path(SOCKET_DIR, ".s.PGSQL.5432").exists():
        return f"needs the local PostgreSQL server's socket in {SOCKET_DIR}"
    return None


def _haproxy() -> str:
    found = shutil.which("haproxy") or (Path("/usr/sbin/haproxy").exists() and "/usr/sbin/haproxy")
    if not found:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        done = subprocess.run(["apt-get", "install", "-y", "-q", "haproxy"], env=env, capture_output=True, timeout=600)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "-q", "haproxy"], env=env, capture_output=True, timeout=600)
        found = shutil.which("haproxy") or (Path("/usr/sbin/haproxy").exists() and "/usr/sbin/haproxy")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("HAProxy could not be installed (apt-get install haproxy)")
        pytest.skip("HAProxy not installed")
    return str(found)


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(predicate: Callable[[], Any], what: str, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except httpx.TransportError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Topology:
    def __init__(self, hosts: list[str], balancer: str, keys: dict[str, str]) -> None:
        self.hosts, self.balancer, self.keys = hosts, balancer, keys

    def h(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}", **extra}


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    haproxy = _haproxy()
    tag = f"{os.getpid() % 100000:05d}"
    net = 16 + os.getpid() % 200  # a /24 of our own for the test hosts, per run
    schema = "fc_hosts_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_name = PG_URL.rsplit("/", 1)[1].split("?", 1)[0]
    user = PG_URL.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0]
    url = f"postgresql+psycopg://{user}@/{db_name}?host={SOCKET_DIR}&options=-csearch_path%3D{schema}"
    state = AppState(Settings(database_url=url, load_sample=True))  # migrated and loaded once, before the hosts
    keys = {}
    with state.db.writing() as s:
        save_organization(s, Organization(id="org-cw-hosts", name="Two-host caseworkers (fictional)"), "test")
        keys["cw"] = create_key(s, "org-cw-hosts", "caseworker", created_by="test")[1]
        keys["partner"] = create_key(s, PARTNER_X, "partner", created_by="test")[1]
    state.close()
    folder = tmp_path_factory.mktemp("hosts")
    namespaces, procs, hosts, logs = [], [], [], []
    try:
        for i in (1, 2):
            ns, outer, inner = f"fch{tag}{i}", f"fco{tag}{i}", f"fci{tag}{i}"
            here, there = f"10.213.{net}.{4 * i + 1}", f"10.213.{net}.{4 * i + 2}"
            _run("ip", "netns", "add", ns)
            namespaces.append(ns)
            _run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
            _run("ip", "link", "set", inner, "netns", ns)
            _run("ip", "addr", "add", f"{here}/30", "dev", outer)
            _run("ip", "link", "set", outer, "up")
            _run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{there}/30", "dev", inner)
            _run("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up")
            _run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            env = dict(
                os.environ,
                FREECHOICE_DATABASE_URL=url,
                FREECHOICE_AUTO_MIGRATE="false",
                FREECHOICE_CATALOG_CHECK_SECONDS="0.2",
            )
            log = (folder / f"host{i}.log").open("w")
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        sys.executable,
                        "-m",
                        "freechoice.api.cli",
                        "serve",
                        "--host",
                        there,
                        "--port",
                        "8000",
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            hosts.append(f"http://{there}:8000")
        port = _free_port()
        cfg = folder / "haproxy.cfg"
        cfg.write_text(
            "\n".join(
                [
                    "defaults",
                    "  mode http",
                    "  timeout connect 5s",
                    "  timeout client 60s",
                    "  timeout server 60s",
                    "frontend web",
                    f"  bind 127.0.0.1:{port}",
                    "  default_backend app",
                    "backend app",
                    "  balance roundrobin",
                    "  option httpchk GET /health",
                    *[f"  server h{i} {h.removeprefix('http://')} check inter 500" for i, h in enumerate(hosts, 1)],
                ]
            )
            + "\n"
        )
        logs.append((folder / "haproxy.log").open("w"))
        procs.append(subprocess.Popen([haproxy, "-f", str(cfg), "-db"], stdout=logs[-1], stderr=subprocess.STDOUT))
        for i, h in enumerate(hosts, 1):
            _wait(
                lambda h=h: httpx.get(f"{h}/health", timeout=5).status_code == 200,
                f"host {i} ({(folder / f'host{i}.log').read_text()[-2000:]})",
            )
        balancer = f"http://127.0.0.1:{port}"
        _wait(lambda: httpx.get(f"{balancer}/health", timeout=5).status_code == 200, "HAProxy")
        yield Topology(hosts, balancer, keys)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()
        for ns in namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_catalog_change_through_one_host_is_seen_through_the_other(topology: Topology):
    one, other = topology.hosts
    sid = "svc-songkhla-wage-claim"
    got = httpx.get(f"{one}/services/{sid}", headers=topology.h("partner"), timeout=30)
    changed = httpx.patch(
        f"{one}/services/{sid}/capacity",
        json={"status": "full", "until": "2027-03-01"},
        headers=topology.h("partner", **{"If-Match": got.headers["etag"]}),
        timeout=30,
    )
    assert changed.status_code == 200, changed.text
    seen = httpx.get(f"{other}/services/{sid}", headers=topology.h("partner"), timeout=30)
    assert seen.headers["etag"] == changed.headers["etag"] and seen.json()["capacity"]["status"] == "full"

    def offered_by_other() -> bool:  # the other host's in-memory catalog follows within its check interval
        ol = httpx.post(f"{other}/option-lists", json=ASSESSMENT, headers=topology.h("cw"), timeout=60).json()
        return not any(o["service_id"] == sid for n in ol["needs"] for o in n["options"])

    assert _wait(offered_by_other, "the other host to stop offering the full service", 60)
    # and back, the other way round
    reopened = httpx.patch(
        f"{other}/services/{sid}/capacity",
        json={"status": "open"},
        headers=topology.h("partner", **{"If-Match": seen.headers["etag"]}),
        timeout=30,
    )
    assert reopened.status_code == 200, reopened.text

    def offered_by_one() -> bool:
        ol = httpx.post(f"{one}/option-lists", json=ASSESSMENT, headers=topology.h("cw"), timeout=60).json()
        return any(o["service_id"] == sid for n in ol["needs"] for o in n["options"])

    assert _wait(offered_by_one, "the first host to offer the reopened service again", 60)


def test_a_referral_move_through_one_host_is_seen_through_the_other_and_the_balancer(topology: Topology):
    one, other = topology.hosts
    body = copy.deepcopy(ASSESSMENT) | {"client_ref": "c-two-hosts"}
    ol = httpx.post(f"{one}/option-lists", json=body, headers=topology.h("cw"), timeout=60).json()
    option = next(o for n in ol["needs"] for o in n["options"] if o["provider_id"] == PARTNER_X)
    choice = httpx.post(
        f"{other}/option-lists/{ol['id']}/choices",
        json={"option_ids": [option["option_id"]]},
        headers=topology.h("cw"),
        timeout=60,
    )
    assert choice.status_code == 201, choice.text
    ref = choice.json()["referrals"][0]["id"]
    sent = httpx.post(f"{one}/referrals/{ref}/transitions", json={"to": "sent"}, headers=topology.h("cw"), timeout=30)
    assert sent.status_code == 200, sent.text
    accepted = httpx.post(
        f"{other}/referrals/{ref}/transitions", json={"to": "accepted"}, headers=topology.h("partner"), timeout=30
    )
    assert accepted.status_code == 200, accepted.text
    for base in (one, topology.balancer, topology.balancer):
        seen = httpx.get(f"{base}/referrals/{ref}", headers=topology.h("cw"), timeout=30).json()
        assert seen["status"] == "accepted"
        assert [h["to"] for h in seen["history"]] == ["draft", "sent", "accepted"]
