"""Durability under kill -9: every write the service acknowledged is still there after
the whole server (gunicorn's arbiter and its workers) is killed without warning.

Each round starts `freechoice serve --workers 2`, sends writes from 16 concurrent
clients (option lists: an assessment and its list in one transaction; choices on
them, "decide later"), kills
every server process with SIGKILL at a random moment while writes are in flight, and
then reads the database directly: each acknowledged write (a 201 with its id) must be
there, whole. Writes that were in flight when the server died may or may not be there;
they were never acknowledged. Prints acknowledged and lost writes per round and in
all (lost must be 0), and runs SQLite's integrity check.

    python bench/kill9_durability.py [--database sqlite|postgresql] [--rounds 20] [--services 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import tempfile
from pathlib import Path

import httpx
from http_throughput import _bodies, _free_port, _prepare, _serve, bench_database
from sqlalchemy import select, text

from freechoice.catalog.db import Database
from freechoice.catalog.db.tables import AssessmentRow, ChoiceRow, OptionListRow


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return out
    for k in kids:
        out.extend(_tree(int(k)))
    return out


async def _round(port: int, token: str, bodies: list[dict], kill_after: float, server_pid: int) -> tuple[list, list]:
    lists: list[str] = []
    choices: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    stop = asyncio.Event()

    async def writer(i: int) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10, headers=headers) as c:
            n, mine = 0, ""
            while not stop.is_set():
                n += 1
                try:
                    if n % 4 == 0 and mine:  # a choice needs a real list (feedback needs a sent referral)
                        r = await c.post(f"/option-lists/{mine}/choices", json={"decision": "decide_later"})
                        if r.status_code == 201:
                            choices.append(r.json()["id"])
                    else:
                        r = await c.post("/option-lists", json=bodies[(i * 997 + n) % len(bodies)])
                        if r.status_code == 201:
                            mine = r.json()["id"]
                            lists.append(mine)
                except httpx.HTTPError:
                    await asyncio.sleep(0.01)  # the server is gone: nothing was acknowledged

    tasks = [asyncio.create_task(writer(i)) for i in range(16)]
    await asyncio.sleep(kill_after)
    for pid in reversed(_tree(server_pid)):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*tasks)
    return lists, choices


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--services", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument(
        "--postgres",
        default=os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="fc-kill9-"))
    with bench_database(args.database, args.postgres, tmp, "kill9") as url:
        token = _prepare(url, args.services)
        bodies = _bodies(200)
        print(f"kill -9 durability: {args.database}, {args.rounds} rounds, 16 writers, serve --workers 2")
        total_ack = total_lost = 0
        for n in range(1, args.rounds + 1):
            port = _free_port()
            proc = _serve(url, 2, port, tmp / f"serve-{n}.log")
            kill_after = rng.uniform(2.0, 6.0)
            lists, choices = asyncio.run(_round(port, token, bodies, kill_after, proc.pid))
            proc.wait(30)
            db = Database(url)
            with db.session() as s:
                found_lists = (
                    set(s.scalars(select(OptionListRow.id).where(OptionListRow.id.in_(lists)))) if lists else set()
                )
                whole = (
                    s.scalar(
                        select(text("count(*)"))
                        .select_from(OptionListRow)
                        .join(AssessmentRow, OptionListRow.assessment_id == AssessmentRow.id)
                        .where(OptionListRow.id.in_(lists))
                    )
                    if lists
                    else 0
                )
                found_ch = set(s.scalars(select(ChoiceRow.id).where(ChoiceRow.id.in_(choices)))) if choices else set()
                check = s.execute(text("PRAGMA integrity_check")).scalar() if db.is_sqlite else "ok"
            db.dispose()
            lost = (
                (len(lists) - len(found_lists)) + (len(choices) - len(found_ch)) + (len(found_lists) - int(whole or 0))
            )
            total_ack += len(lists) + len(choices)
            total_lost += lost
            print(
                f"  round {n:2d}: killed after {kill_after:.1f} s, acknowledged {len(lists) + len(choices):5d} "
                f"(lists {len(lists)}, choices {len(choices)}), lost {lost}, integrity {check}",
                flush=True,
            )
        print(f"acknowledged {total_ack}, lost {total_lost} (must be 0)")


if __name__ == "__main__":
    main()
