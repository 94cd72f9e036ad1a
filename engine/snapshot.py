"""A snapshot of the compiled catalog: every service's card (what matching reads), the
catalog's indexes over them and every active service's rule tags, so a worker starting
on a large catalog neither reads and parses every full record nor runs the rules over
every service again, nor works the indexes out again.

The file records the catalog revision it was made at, the rules version, and per
service the revision its database row had, its content digest, its card and (active
services) its tags. Loading checks all of them: tags of another rules version are
ignored as a whole, a service whose digest differs (changed since) is tagged afresh;
the cards are used only when the database rows written at or before the snapshot's
revision are exactly its services with their row revisions (compared as one digest
the database works out, not row by row), and the digests of a few services spread over
the ids equal the database records' (a snapshot of another database, or a damaged one,
is ignored with a log line); the rows written since are then read as changes.

The file is a JSON header line (format, rules version, revision, the number of
services and a BLAKE2b digest of the rest) and then the cards, indexes and tags as a
pickle (protocol 5) read by an unpickler that builds only plain data (lists, dicts,
sets, texts, numbers, bytes, dates) and the classes cards hold (:class:`ServiceCard`, its
reader, the catalog's value models): any other class or function named in it is
refused, so nothing in it is executed, and a file whose digest differs is ignored
before it is unpickled. It is written to a temporary name and renamed, so a reader
never sees half a snapshot.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import logging
import operator
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from freechoice.catalog import Catalog, CatalogError, Organization
from freechoice.catalog import models as _models
from freechoice.catalog.compact import CardReader, ServiceCard
from freechoice.catalog.index import ServiceSource

from .compile import CompiledRules

__all__ = [
    "FromSnapshot",
    "RowCheck",
    "SNAPSHOT_FORMAT",
    "catalog_from_snapshot",
    "load_snapshot",
    "save_snapshot",
]

SNAPSHOT_FORMAT = 4  # 4: a JSON header, then the cards, indexes and tags pickled (3: JSON lines)
_SPOT_CHECKS = 32

log = logging.getLogger("freechoice.catalog")

#: checks the snapshot's services against the database: given the revision it was made
#: at, its service ids (sorted) and their row revisions, returns why they do not match
#: the rows written at or before that revision (None: they match) and the ids of the
#: rows written after it (changes, read afterwards)
RowCheck = Callable[[int, list[str], list[int]], tuple[str | None, set[str]]]


class _Ignored(Exception):
    """The snapshot does not match (the message says why)."""


_CLASSES: dict[tuple[str, str], Any] = {
    **{("datetime", name): getattr(datetime, name) for name in ("date", "datetime", "time", "timedelta", "timezone")},
    ("decimal", "Decimal"): decimal.Decimal,
    ("freechoice.catalog.compact", "ServiceCard"): ServiceCard,
    ("freechoice.catalog.compact", "CardReader"): CardReader,
    **{
        ("freechoice.catalog.models", name): value
        for name, value in vars(_models).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == _models.__name__
    },
}


class _Unpickler(pickle.Unpickler):
    """Builds plain data and the classes a card holds; refuses any other global (so no
    function is called and nothing else is built)."""

    def find_class(self, module: str, name: str) -> Any:
        found = _CLASSES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")
        return found


def _read_file(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and the payload, or None when the file is missing (silently) or not a
    whole snapshot of this format (logged)."""
    try:
        with Path(path).open("rb") as f:
            first = f.readline()
            rest = f.read()
    except FileNotFoundError:
        return None
    except OSError as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"unreadable: {err}"})
        return None
    try:
        header = orjson.loads(first)
    except orjson.JSONDecodeError as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"unreadable: {err}"})
        return None
    if not isinstance(header, dict) or header.get("format") != SNAPSHOT_FORMAT:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": "another format"})
        return None
    try:
        if header.get("payload") != hashlib.blake2b(rest).hexdigest():
            raise ValueError("its digest is not the header's: cut short or changed")
        payload = _Unpickler(io.BytesIO(rest)).load()
        _check(header, payload)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, pickle.UnpicklingError) as err:
        log.warning("catalog snapshot ignored", extra={"path": str(path), "why": f"damaged: {err}"})
        return None
    return header, payload


def _check(header: Mapping[str, Any], payload: Any) -> None:
    """Raise ``ValueError`` unless the payload has the snapshot's shape (lists in step,
    of their types; each card the service its id says)."""
    if type(payload) is not dict:
        raise ValueError("not a snapshot's payload")
    ids, digests, tags, sets = payload["ids"], payload["digests"], payload["tags"], payload["tag_sets"]
    n = header.get("services")
    if any(type(v) is not list or len(v) != n for v in (ids, digests, tags)) or type(sets) is not list:
        raise ValueError(f"not {n} services as the header says")
    if not set(map(type, ids)) <= {str} or not set(map(type, digests)) <= {bytes} or not set(map(len, digests)) <= {32}:
        raise ValueError("a service id or digest of another type")
    if not set(map(type, sets)) <= {frozenset} or not {type(t) for s in sets for t in s} <= {str}:
        raise ValueError("a tag set that is not a set of texts")
    at = [t for t in tags if t is not None]
    if not set(map(type, at)) <= {int} or (at and not 0 <= min(at) <= max(at) < len(sets)):
        raise ValueError("a service's tags are not an index into the tag sets")
    cards, rows = payload["cards"], payload["rows"]
    if cards is None:
        return
    if type(cards) is not list or type(rows) is not list or len(rows) != n or type(payload["index"]) is not dict:
        raise ValueError("no cards of its services in it")
    if not set(map(type, rows)) <= {int}:
        raise ValueError("a row revision that is not a number")
    if not set(map(type, cards)) <= {ServiceCard} or list(map(_ID, cards)) != ids:
        raise ValueError("a card that is not the service its line names")
    readers = set(map(_READER, cards))
    if len(readers) > 1 or not set(map(type, readers)) <= {CardReader}:
        raise ValueError("cards of more than one catalog")


_ID, _READER = operator.attrgetter("id"), operator.attrgetter("reader")


def load_snapshot(path: str | Path, rules: CompiledRules, catalog: Catalog) -> int:
    """Seed ``rules``' tag cache from the snapshot at ``path``; return how many services
    it covered (0 when the file is missing, unreadable, of another format or rules
    version). A service whose digest differs from ``catalog``'s is left out."""
    read = _read_file(path)
    if read is None:
        return 0
    header, payload = read
    if header.get("rules") != rules.version:
        return 0
    sets = payload["tag_sets"]
    fresh: dict[str, frozenset[str]] = {}
    for sid, digest, at in zip(payload["ids"], payload["digests"], payload["tags"], strict=True):
        card = catalog.get_card(sid)
        if at is None or card is None or card.status != "active" or digest.hex() != catalog.digest(sid):
            continue
        fresh[sid] = sets[at]
    rules.seed_tags(catalog, fresh)
    return len(fresh)


@dataclass(frozen=True)
class FromSnapshot:
    """A catalog read from a snapshot: as of ``revision``; ``tagged`` services' rule
    tags taken (0 when the rules version differs); ``untagged``: the active services
    whose tags it did not give (all of them when the rules version differs)."""

    catalog: Catalog
    revision: int
    tagged: int
    untagged: list[str]


def catalog_from_snapshot(
    path: str | Path,
    organizations: list[Organization],
    check: RowCheck,
    revision_now: int,
    rules: CompiledRules,
    *,
    source: ServiceSource,
    cache_size: int = 2000,
) -> FromSnapshot | None:
    """The catalog as the snapshot at ``path`` holds it (cards only, full records through
    ``source``), with ``rules``' tags taken from it, or None when there is no snapshot
    or it does not match the database (logged): ``check`` compares its services with
    the database's rows (:data:`RowCheck`), ``revision_now`` is the catalog revision
    now. The caller then applies the rows written after ``FromSnapshot.revision``."""
    read = _read_file(path)
    if read is None:
        return None
    header, payload = read
    try:
        return _read(header, payload, organizations, check, revision_now, rules, source, cache_size)
    except _Ignored as err:
        why = str(err)
    except (CatalogError, ValueError, TypeError, KeyError, IndexError) as err:
        why = f"damaged: {err}"
    log.warning("catalog snapshot ignored", extra={"path": str(path), "why": why})
    return None


def _read(
    header: dict[str, Any],
    payload: dict[str, Any],
    organizations: list[Organization],
    check: RowCheck,
    revision_now: int,
    rules: CompiledRules,
    source: ServiceSource,
    cache_size: int,
) -> FromSnapshot:
    made_at, cards = header.get("revision"), payload["cards"]
    if type(made_at) is not int or cards is None:
        raise _Ignored("no cards in it")
    if made_at > revision_now:
        raise _Ignored(f"made at revision {made_at}, past the database's {revision_now}: another database")
    ids, tags = payload["ids"], payload["tags"]
    why, since = check(made_at, ids, payload["rows"])
    if why is not None:
        raise _Ignored(why)
    catalog = Catalog(organizations, source=source, cache_size=cache_size)
    catalog.restore_cards(cards[0].reader if cards else CardReader(), cards, payload["digests"], payload["index"])
    why = _spot_check(catalog, source, [sid for sid in ids if sid not in since])
    if why is not None:
        raise _Ignored(why)
    if header.get("rules") != rules.version:
        return FromSnapshot(catalog, made_at, 0, catalog.active_ids())
    # the serials restore_cards gave are consecutive, in the cards' order
    first, sets = (catalog.serial(ids[0]) if ids else 0), payload["tag_sets"]
    cache = {first + i: sets[at] for i, at in enumerate(tags) if at is not None}
    rules.adopt_tags(cache)
    untagged = [c.id for c, at in zip(cards, tags, strict=True) if at is None and c.status == "active"]
    return FromSnapshot(catalog, made_at, len(cache), untagged)


def _spot_check(catalog: Catalog, source: ServiceSource, ids: list[str]) -> str | None:
    """Compare the digests of a few services (spread over ``ids``, unchanged since the
    snapshot) with the database's records: a snapshot of another database with the same
    ids and row revisions but other content is caught here."""
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
    every service's card and the indexes over them: those whose row is past
    ``revision`` are left out (read as changes on load)."""
    tags = rules.service_tags(catalog, catalog.active_ids())
    if rows is not None:
        ids = sorted(card.id for card in catalog.cards() if rows.get(card.id, revision + 1) <= revision)
    else:
        ids = sorted(tags)
    tag_sets: dict[frozenset[str], int] = {}
    at = [tag_sets.setdefault(tags[sid], len(tag_sets)) if sid in tags else None for sid in ids]
    digests = [bytes.fromhex(catalog.digest(sid)) for sid in ids]
    cards = index = None
    if rows is not None:
        cards = [catalog.card(sid) for sid in ids]
        held = Catalog(catalog.organizations.values(), source=lambda _ids: {})  # just these cards
        held.add_cards(zip(cards, digests, strict=True))
        index = held.index_state()
    payload = pickle.dumps(
        {
            "ids": ids,
            "rows": [rows[sid] for sid in ids] if rows is not None else None,
            "digests": digests,
            "tags": at,
            "tag_sets": list(tag_sets),
            "cards": cards,
            "index": index,
        },
        protocol=5,
    )
    header = {
        "format": SNAPSHOT_FORMAT,
        "rules": rules.version,
        "revision": revision,
        "services": len(ids),
        "payload": hashlib.blake2b(payload).hexdigest(),
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(header) + b"\n")
            f.write(payload)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
