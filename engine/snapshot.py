"""A snapshot of the compiled catalog: every service's card (what matching reads) and
every active service's rule tags, so a worker starting on a large catalog neither reads
and parses every full record nor runs the rules over every service again.

The file records the catalog revision it was made at, the rules version, and per
service the revision its database row had, its content digest, its card and (active
services) its tags. Loading checks all of them: tags of another rules version are
ignored as a whole, a service whose digest differs (changed since) is tagged afresh;
the cards are used only when every database row written at or before the snapshot's
revision is in it with the same row revision, nothing else is, and the digests of a
few services spread over the ids equal the database records' (a snapshot of another
database, or a damaged one, is ignored with a log line); the rows written since are
then read as changes.

The file is JSON lines (nothing in it is executed): a header (format, rules version,
revision, the values cards share and the distinct sets of rule tags, each written
once), then one line per service,
read one at a time (so the whole file is never parsed into memory at once). It is
written to a temporary name and renamed, so a reader never sees half a snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from freechoice.catalog import Catalog, CatalogError, Organization
from freechoice.catalog.compact import CardTable, ServiceCard, cards_from_table
from freechoice.catalog.index import ServiceSource

from .compile import CompiledRules

__all__ = ["FromSnapshot", "SNAPSHOT_FORMAT", "catalog_from_snapshot", "load_snapshot", "save_snapshot"]

SNAPSHOT_FORMAT = 3  # 3: tag sets written once in the header (2: a list per service)
_SPOT_CHECKS = 32

log = logging.getLogger("freechoice.catalog")


class _Ignored(Exception):
    """The snapshot does not match (the message says why)."""


def _lines(path: str | Path) -> tuple[dict[str, Any], Iterator[list[Any]], BinaryIO] | None:
    """The header and an iterator over the service lines, or None when the file is
    missing (silently) or not a snapshot of this format (logged)."""
    try:
        f = Path(path).open("rb")
    except FileNotFoundError:
        return None
    except OSError as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"unreadable: {err}"})
        return None
    try:
        header = orjson.loads(f.readline())
    except orjson.JSONDecodeError as err:
        f.close()
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"unreadable: {err}"})
        return None
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        f.close()
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": "another format"})
        return None

    def entries() -> Iterator[list[Any]]:
        count = 0
        for line in f:
            entry = orjson.loads(line)
            if not isinstance(entry, list) or len(entry) != 5:
                raise ValueError("a line of another shape")
            count += 1
            yield entry
        if count != header.get("services"):
            raise ValueError(f"{count} service lines, the header says {header.get('services')}: cut short")

    return header, entries(), f


def _tag_sets(rules: CompiledRules, header: Mapping[str, Any]) -> list[frozenset[str]] | None:
    """The header's distinct tag sets (validated), or None when they are of another
    rules version."""
    if header.get("rules") != rules.version:
        return None
    listed = header.get("tags")
    if type(listed) is not list:
        raise ValueError("no tag sets in it")
    sets: list[frozenset[str]] = []
    for tags in listed:
        if type(tags) is not list or any(type(t) is not str for t in tags):
            raise ValueError("a tag set that is not a list of texts")
        sets.append(frozenset(tags))
    return sets


def _tags_of(entry: list[Any], sets: list[frozenset[str]]) -> frozenset[str] | None:
    at = entry[4]
    if at is None:
        return None
    if type(at) is not int or at < 0:
        raise ValueError("a service's tags are not an index into the tag sets")
    return sets[at]


def load_snapshot(path: str | Path, rules: CompiledRules, catalog: Catalog) -> int:
    """Seed ``rules``' tag cache from the snapshot at ``path``; return how many services
    it covered (0 when the file is missing, unreadable, of another format or rules
    version). A service whose digest differs from ``catalog``'s is left out."""
    opened = _lines(path)
    if opened is None:
        return 0
    header, entries, f = opened
    fresh: dict[str, frozenset[str]] = {}
    try:
        shared = _tag_sets(rules, header)
        if shared is None:
            return 0
        for entry in entries:
            sid, _row, digest = entry[0], entry[1], entry[2]
            card = catalog.get_card(sid) if isinstance(sid, str) else None
            if card is None or card.status != "active" or digest != catalog.digest(sid):
                continue
            tags = _tags_of(entry, shared)
            if tags is not None:
                fresh[sid] = tags
    except (ValueError, TypeError, IndexError) as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"damaged: {err}"})
        return 0
    finally:
        f.close()
    rules.seed_tags(catalog, fresh)
    return len(fresh)


@dataclass(frozen=True)
class FromSnapshot:
    """A catalog read from a snapshot: as of ``revision``; ``tagged`` services' rule
    tags seeded (0 when the rules version differs)."""

    catalog: Catalog
    revision: int
    tagged: int


def catalog_from_snapshot(
    path: str | Path,
    organizations: list[Organization],
    rows: Mapping[str, int],
    revision_now: int,
    rules: CompiledRules,
    *,
    source: ServiceSource,
    cache_size: int = 2000,
) -> FromSnapshot | None:
    """The catalog as the snapshot at ``path`` holds it (cards only, full records through
    ``source``), with ``rules``' tags seeded from it, or None when there is no snapshot
    or it does not match the database (logged): ``rows`` is every service row's id and
    revision (:func:`~freechoice.catalog.db.service_revisions`), ``revision_now`` the
    catalog revision now. The caller then applies the rows written after
    ``FromSnapshot.revision``."""
    opened = _lines(path)
    if opened is None:
        return None
    header, entries, f = opened
    try:
        return _read(header, entries, organizations, rows, revision_now, rules, source, cache_size)
    except _Ignored as err:
        why = str(err)
    except (CatalogError, ValueError, TypeError, KeyError, IndexError) as err:
        why = f"damaged: {err}"
    finally:
        f.close()
    log.warning("catalog snapshot ignored", extra={"path": str(path), "why": why})
    return None


def _read(
    header: dict[str, Any],
    entries: Iterator[list[Any]],
    organizations: list[Organization],
    rows: Mapping[str, int],
    revision_now: int,
    rules: CompiledRules,
    source: ServiceSource,
    cache_size: int,
) -> FromSnapshot:
    made_at, values = header.get("revision"), header.get("values")
    if not isinstance(made_at, int) or not isinstance(values, list):
        raise _Ignored("no cards in it")
    if made_at > revision_now:
        raise _Ignored(f"made at revision {made_at}, past the database's {revision_now}: another database")
    catalog = Catalog(organizations, source=source, cache_size=cache_size)
    shared = _tag_sets(rules, header)
    tags: dict[str, frozenset[str]] = {}
    held = 0
    digests: list[bytes] = []  # of the rows checked() gave, for the cards made of them (in step)

    def checked() -> Iterator[list[Any]]:
        nonlocal held
        for entry in entries:
            sid, row_revision, digest, card_row, _ = entry
            if card_row is None:
                raise _Ignored("no cards in it")
            now = rows.get(sid)
            if now is None:
                raise _Ignored(f"it holds service {sid!r}, the database does not: another database")
            if now <= made_at:
                if now != row_revision:
                    raise _Ignored(f"service {sid!r} is not in it as the database has it: another database")
                held += 1
            digests.append(bytes.fromhex(digest))
            if shared is not None and (found := _tags_of(entry, shared)) is not None:
                tags[sid] = found
            yield card_row

    def with_digests() -> Iterator[tuple[ServiceCard, bytes]]:
        for card in cards_from_table(values, checked(), catalog.full_reader):
            yield card, digests.pop()

    catalog.add_cards(with_digests())
    if held != sum(1 for rev in rows.values() if rev <= made_at):
        raise _Ignored("services the database has are not in it: another database, or damaged")
    why = _spot_check(catalog, source, rows, made_at)
    if why is not None:
        raise _Ignored(why)
    rules.seed_tags(catalog, tags)
    return FromSnapshot(catalog, made_at, len(tags))


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
    table = CardTable()
    tag_sets: dict[frozenset[str], int] = {}
    lines: list[bytes] = []
    for card in catalog.cards():
        sid = card.id
        if rows is not None and rows.get(sid, revision + 1) > revision:
            continue
        if rows is None and sid not in tags:
            continue
        entry = [
            sid,
            rows[sid] if rows is not None else None,
            catalog.digest(sid),
            table.row(card) if rows is not None else None,
            tag_sets.setdefault(tags[sid], len(tag_sets)) if sid in tags else None,
        ]
        lines.append(orjson.dumps(entry))
    header = {
        "format": SNAPSHOT_FORMAT,
        "rules": rules.version,
        "revision": revision,
        "services": len(lines),
        "values": table.values if rows is not None else None,
        "tags": [sorted(t) for t in tag_sets],  # each distinct set once; a service names its index
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(header) + b"\n")
            for line in lines:
                f.write(line + b"\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
