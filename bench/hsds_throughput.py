"""HSDS 3.1 import and export throughput, SQLite, for 10,000 and 100,000 generated services.

Export: database -> HSDS JSON text. Import, as ``freechoice catalog import FILE`` does
it: HSDS JSON file -> schema validation -> mapping -> referral-cycle check against
what is stored -> one transaction into SQLite. Prints services per second for
each stage and in all. Target: at least 5,000 services per second each way.

    python bench/hsds_throughput.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import orjson

from freechoice.catalog import Catalog
from freechoice.catalog.bulk import gc_paused
from freechoice.catalog.db import Database, import_catalog, load_catalog, service_records
from freechoice.catalog.generate import generate_services
from freechoice.catalog.hsds import export_catalog, parse_hsds, read_hsds
from freechoice.engine import ReferralGraph


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:9,.0f} services/s ({seconds:6.2f} s)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    args = ap.parse_args()
    print("freechoice HSDS 3.1 throughput, SQLite (WAL), one process")
    for n in args.sizes:
        orgs, services = generate_services(n)
        workdir = tempfile.TemporaryDirectory(prefix="fc-hsds-")
        tmp = Path(workdir.name)
        text = orjson.dumps(export_catalog(Catalog(orgs, services)))
        db = Database(f"sqlite:///{tmp / 'hsds.db'}")
        db.upgrade()
        source = tmp / "hsds.json"
        source.write_bytes(text)
        t0 = time.perf_counter()
        doc = read_hsds(source)  # what `freechoice catalog import FILE` does
        t1 = time.perf_counter()
        parsed = parse_hsds(doc)
        del doc  # as the command does: the parsed JSON is not needed once mapped
        t2 = time.perf_counter()
        with db.session() as s, gc_paused():
            ReferralGraph(parsed.applied_to(load_catalog(s)[0], linked_only=True))
        t2b = time.perf_counter()
        with db.writing() as s:
            import_catalog(s, parsed.organizations, parsed.services, actor="bench")
        t3 = time.perf_counter()
        with db.session() as s:
            records = service_records(s)
        t4 = time.perf_counter()
        out = orjson.dumps(export_catalog(records))
        t5 = time.perf_counter()
        print(f"\n{n:>7} services ({len(text) / 1e6:.0f} MB of HSDS JSON)")
        print(f"  import total   {_rate(n, t3 - t0)}")
        print(f"    read JSON    {_rate(n, t1 - t0)}")
        print(f"    validate+map {_rate(n, t2 - t1)}")
        print(f"    check cycles {_rate(n, t2b - t2)}")
        print(f"    write SQLite {_rate(n, t3 - t2b)}")
        print(f"  export total   {_rate(n, t5 - t3)}")
        print(f"    read SQLite  {_rate(n, t4 - t3)}")
        print(f"    to HSDS JSON {_rate(n, t5 - t4)}")
        assert len(out) > 0
        db.dispose()
        workdir.cleanup()
    print("\n  target: >= 5,000 services/s each way")


if __name__ == "__main__":
    main()
