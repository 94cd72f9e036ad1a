"""A snapshot of the compiled catalog: every active service's rule tags, so a worker
starting on a large catalog does not run the rules over every service again.

The file records the rules version it was made with and, per service, the content
digest of the service it tagged. Loading checks both: tags of a different rules version
are ignored as a whole, a service whose digest differs (changed since) is tagged afresh.
The file is JSON (nothing in it is executed), written to a temporary name and renamed,
so a reader never sees half a snapshot.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import orjson

from freechoice.catalog import Catalog

from .compile import CompiledRules

__all__ = ["SNAPSHOT_FORMAT", "load_snapshot", "save_snapshot"]

SNAPSHOT_FORMAT = 1


def load_snapshot(path: str | Path, rules: CompiledRules, catalog: Catalog) -> int:
    """Seed ``rules``' tag cache from the snapshot at ``path``; return how many services
    it covered (0 when the file is missing, unreadable, of another format or rules version)."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return 0
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or data.get("rules") != rules.version:
        return 0
    tags = data.get("tags")
    if not isinstance(tags, dict):
        return 0
    fresh: dict[str, frozenset[str]] = {}
    for sid, entry in tags.items():
        card = catalog.get_card(sid)
        if card is None or card.status != "active" or not isinstance(entry, list) or len(entry) != 2:
            continue
        digest, ids = entry
        if digest == catalog.digest(sid) and isinstance(ids, list):
            fresh[sid] = frozenset(str(i) for i in ids)
    rules.seed_tags(catalog, fresh)
    return len(fresh)


def save_snapshot(path: str | Path, rules: CompiledRules, catalog: Catalog, revision: int) -> None:
    """Write the tags of every active service (computing any not yet cached)."""
    active = catalog.active_ids()
    tags = rules.service_tags(catalog, active)
    body = orjson.dumps(
        {
            "format": SNAPSHOT_FORMAT,
            "rules": rules.version,
            "revision": revision,
            "tags": {sid: [catalog.digest(sid), sorted(tags[sid])] for sid in active},
        }
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
