"""A snapshot of the compiled catalog: every service's card (what matching reads) and
every active service's rule tags, so a worker starting on a large catalog neither reads
and parses every full record nor runs the rules over every service again.

The file records the catalog revision it was made at, the rules version, and per
service the revision its database row had, its content digest, its card and (active
services) its tags. Loading checks all of them: tags of another rules version are
ignored as a whole, a service whose digest differs (changed since) is tagged afresh;
the cards are used only when every database row written at or before the snapshot's
revision is in it with the same row revision and nothing else is (a snapshot of
another database, or a damaged one, is ignored with a log line); the rows written since
are then read as changes. The file is JSON (nothing in it is executed), written to a
temporary name and renamed, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from freechoice.catalog import Catalog, CatalogError, Organization
from freechoice.catalog.compact import CardTable, cards_from_table
from freechoice.catalog.index import ServiceSource

from .compile import CompiledRules

__all__ = ["SNAPSHOT_FORMAT", "catalog_from_snapshot", "load_snapshot", "read_snapshot", "save_snapshot"]

SNAPSHOT_FORMAT = 2

log = logging.getLogger("freechoice.catalog")


def read_snapshot(path: str | Path) -> dict[str, Any] | None:
    """The snapshot at ``path`` as data, or None (missing, damaged or of another format:
    logged, except a missing file)."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"unreadable: {err}"})
        return None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": "another format"})
        return None
    return data


def load_snapshot(path: str | Path | Mapping[str, Any] | None, rules: CompiledRules, catalog: Catalog) -> int:
    """Seed ``rules``' tag cache from the snapshot (a path, or :func:`read_snapshot`'s
    data); return how many services it covered (0 when the file is missing, unreadable,
    of another format or rules version)."""
    data = read_snapshot(path) if isinstance(path, str | Path) else path
    if data is None or data.get("rules") != rules.version:
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


def catalog_from_snapshot(
    data: Mapping[str, Any],
    organizations: list[Organization],
    rows: Mapping[str, int],
    revision_now: int,
    *,
    source: ServiceSource,
    cache_size: int = 2000,
) -> tuple[Catalog, int] | None:
    """The catalog as the snapshot holds it (cards only, full records through ``source``)
    and the revision it was made at, or None when it does not match the database:
    ``rows`` is every service row's id and revision (:func:`~freechoice.catalog.db.service_revisions`),
    ``revision_now`` the catalog revision now. The caller then applies the rows written
    after the returned revision."""
    why = _mismatch(data, rows, revision_now)
    catalog: Catalog | None = None
    if why is None:
        catalog = Catalog(organizations, source=source, cache_size=cache_size)
        try:
            entries = data["cards"]
            card_rows = (row for _rev, _digest, row in entries.values())
            for card, (_rev, digest, _row) in zip(
                cards_from_table(data["values"], card_rows, catalog.full_reader), entries.values(), strict=True
            ):
                catalog.put_card(card, bytes.fromhex(digest))
        except (CatalogError, ValueError, TypeError, KeyError, IndexError) as err:
            why, catalog = f"a card does not read: {err}", None
        if catalog is not None:
            why = _spot_check(catalog, source, rows, int(data["revision"]))
            catalog = None if why is not None else catalog
    if catalog is None:
        log.warning("catalog snapshot ignored", extra={"why": why})
        return None
    return catalog, int(data["revision"])


_SPOT_CHECKS = 32


def _spot_check(catalog: Catalog, source: ServiceSource, rows: Mapping[str, int], made_at: int) -> str | None:
    """Compare the digests of a few services (spread over the ids) with the database's
    records: a snapshot of another database with the same ids and row revisions but other
    content is caught here."""
    ids = sorted(sid for sid, rev in rows.items() if rev <= made_at)
    picked = ids[:: max(1, len(ids) // _SPOT_CHECKS)][:_SPOT_CHECKS]
    for sid, svc in source(picked).items():
        if hashlib.sha256(svc.model_dump_json().encode()).hexdigest() != catalog.digest(sid):
            return f"service {sid!r} differs from the database's record: another database"
    return None


def _mismatch(data: Mapping[str, Any], rows: Mapping[str, int], revision_now: int) -> str | None:
    made_at, cards = data.get("revision"), data.get("cards")
    if not isinstance(made_at, int) or not isinstance(cards, dict) or not isinstance(data.get("values"), list):
        return "no cards in it"
    if made_at > revision_now:
        return f"made at revision {made_at}, past the database's {revision_now}: another database"
    for sid, row_revision in rows.items():
        if row_revision <= made_at:
            entry = cards.get(sid)
            if not isinstance(entry, list) or len(entry) != 3 or entry[0] != row_revision:
                return f"service {sid!r} is not in it as the database has it: another database, or damaged"
    if any(sid not in rows for sid in cards):  # (a row written since replaces its card: read as a change)
        return "it holds services the database does not: another database"
    return None


def save_snapshot(
    path: str | Path,
    rules: CompiledRules,
    catalog: Catalog,
    revision: int,
    rows: Mapping[str, int] | None = None,
) -> None:
    """Write the tags of every active service (computing any not yet cached) and, with
    ``rows`` (the service rows' revisions, read when ``catalog`` was at ``revision``),
    every service's card: those whose row is past ``revision`` are left out (read as
    changes on load)."""
    active = catalog.active_ids()
    tags = rules.service_tags(catalog, active)
    body: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "rules": rules.version,
        "revision": revision,
        "tags": {sid: [catalog.digest(sid), sorted(tags[sid])] for sid in active},
    }
    if rows is not None:
        table = CardTable()
        body["cards"] = {
            card.id: [rows[card.id], catalog.digest(card.id), table.row(card)]
            for card in catalog.cards()
            if rows.get(card.id, revision + 1) <= revision
        }
        body["values"] = table.values
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(body))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
