"""A need's candidates with what ordering them best first reads of each, kept per catalog.

Before any candidate is weighed, each gets a bound (engine/needorder.py) from its card,
its rule tags, whether it is a job and, for a remote service, the provider and kind it
is grouped by. None of that depends on the client: it is the same for every list that
asks about the same kinds in the same place, until the catalog (or the rules) change.

So candidates are kept as *rows* per index bucket, the way the index holds them: the
services of the need's kinds in one area of a country (served in person), and those of
the whole country (country-wide or remote). A client's candidates are the rows of the
buckets of their places; the country buckets, which grow with a national catalog, are
shared by every client in that country. Rows are kept per catalog version and rules
version (a change moves the version on and the rows are made afresh when next asked),
at most :data:`_LIMIT` buckets per catalog.

A catalog that keeps its own answers (the database-backed catalog: its cards are a
bounded cache) is asked afresh on every call, as :mod:`.lookups` does; its rows are kept
by the serial of the service each was made from (at most :data:`_BY_SERIAL_LIMIT`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from cachetools import LRUCache

from freechoice.catalog import Catalog, Service, ServiceCard
from freechoice.catalog.codes import normalise_area

from .ordering import is_job
from .predicates import CardProfile, card_profile

if TYPE_CHECKING:
    from .compile import CompiledRules

__all__ = ["Bucket", "Row", "candidate_buckets", "group_kind", "unique_rows"]

_LIMIT = 2048  # buckets kept per catalog (areas x kind sets asked; rows are small tuples)

_EMPTY: Mapping[tuple[str, str], tuple[str, ...]] = {}


class Row(NamedTuple):
    """One candidate as bounding reads it."""

    sid: str
    card: ServiceCard
    tags: frozenset[str]  # the ids of rules whose service conditions it meets
    group: tuple[str, str] | None  # remote: (provider, the kind it is grouped by); else None
    job: bool
    profile: CardProfile  # what the match facts read off the record read


@dataclass(frozen=True, slots=True)
class Bucket:
    """The candidates of some kinds in one index bucket, in id order."""

    rows: tuple[Row, ...]
    # remote group -> its members' ids, in id order
    remote: Mapping[tuple[str, str], tuple[str, ...]]


def group_kind(svc: Service | ServiceCard, kinds: frozenset[str] | set[str]) -> str:
    """The kind a remote service is grouped by under a need: its first kind the need asks for."""
    return next((k for k in svc.kinds if k in kinds), svc.kinds[0])


# a row made straight from its values (a third of what ``Row(...)`` costs)
_row: Any = tuple.__new__


def _bucket(catalog: Catalog, rules: CompiledRules, kinds: frozenset[str], ids: Iterable[str]) -> Bucket:
    sids = sorted(ids)
    tags = rules.service_tags(catalog, sids)
    card = catalog.card
    rows: list[Row] = []
    remote: dict[tuple[str, str], list[str]] = {}
    for sid in sids:
        c = card(sid)
        group = None
        if c.remote:
            group = (c.organization_id, group_kind(c, kinds))
            remote.setdefault(group, []).append(sid)
        rows.append(_row(Row, (sid, c, tags[sid], group, is_job(c), card_profile(c))))
    return Bucket(tuple(rows), {g: tuple(m) for g, m in remote.items()} if remote else _EMPTY)


# A catalog that keeps its own answers (its cards a bounded cache) has its rows kept by
# the serial of the service they were made from: a serial moves on whenever its service
# changes, so a row found by it is the service as it is now. Cleared when full.
_SerialKey = tuple[str, frozenset[str], int]
_BY_SERIAL: weakref.WeakKeyDictionary[Catalog, dict[_SerialKey, Row]] = weakref.WeakKeyDictionary()
_BY_SERIAL_LIMIT = 20_000


def _serial_bucket(catalog: Catalog, rules: CompiledRules, kinds: frozenset[str], ids: Iterable[str]) -> Bucket:
    """:func:`_bucket` of ``ids`` for a catalog that keeps its own answers: each row kept by
    its service's serial (rules version and kinds too), the rest made."""
    sids = sorted(ids)
    with _LOCK:
        memo = _BY_SERIAL.get(catalog)
        if memo is None:
            memo = _BY_SERIAL[catalog] = {}
    serial = catalog.serial
    version = rules.version
    rows: list[Row | None] = []
    missing: list[tuple[int, str, _SerialKey]] = []
    for sid in sids:
        key = (version, kinds, serial(sid))
        row = memo.get(key)
        if row is None:
            missing.append((len(rows), sid, key))
        rows.append(row)
    if missing:
        made = _bucket(catalog, rules, kinds, [sid for _, sid, _ in missing]).rows  # in id order, as missing
        with _LOCK:
            if len(memo) + len(made) > _BY_SERIAL_LIMIT:
                memo.clear()
            for (i, _sid, key), row in zip(missing, made, strict=True):
                rows[i] = memo[key] = row
    done = cast("list[Row]", rows)
    remote: dict[tuple[str, str], list[str]] = {}
    for row in done:
        if row.group is not None:
            remote.setdefault(row.group, []).append(row.sid)
    return Bucket(tuple(done), {g: tuple(m) for g, m in remote.items()} if remote else _EMPTY)


_BucketKey = tuple[str, frozenset[str], str, str | None]

# catalog -> (its version, answers): answers of an older version are dropped at once
_KEPT: weakref.WeakKeyDictionary[Catalog, tuple[str, LRUCache[_BucketKey, Bucket]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _kept_bucket(
    catalog: Catalog, rules: CompiledRules, version: str, kinds: frozenset[str], country: str, area: str | None
) -> Bucket:
    """The bucket of ``(country, area)`` (area None: the country-wide and remote services;
    an area: those served in person there, the country's left out), kept."""
    key: _BucketKey = (rules.version, kinds, country, area)
    with _LOCK:
        found = _KEPT.get(catalog)
        hit = found[1].get(key) if found is not None and found[0] == version else None
    if hit is not None:
        return hit
    ids = catalog.candidates(kinds, [(country, area)])
    if area is not None:
        ids -= catalog.candidates(kinds, [(country, None)])
    bucket = _bucket(catalog, rules, kinds, ids)
    with _LOCK:
        if catalog.version == version:  # not changed while it was asked
            found = _KEPT.get(catalog)
            if found is None or found[0] != version:
                found = _KEPT[catalog] = (version, LRUCache(maxsize=_LIMIT))
            found[1][key] = bucket
    return bucket


def candidate_buckets(
    catalog: Catalog,
    rules: CompiledRules,
    kinds: frozenset[str],
    places: Sequence[tuple[str, str | None]],
) -> list[Bucket]:
    """The buckets holding the candidates of ``kinds`` for ``places`` (what
    :meth:`Catalog.candidates` answers, as rows). A service is in one bucket of one place;
    with places in more than one bucket of a country (or several countries) a service
    can be in more than one of them (a caller that needs each once removes repeats)."""
    if catalog.keeps_answers:
        return [_serial_bucket(catalog, rules, kinds, catalog.candidates(kinds, places))]
    version = catalog.version
    asked: list[tuple[str, str | None]] = []
    for country, area in places:
        for key in ((country, None), (country, normalise_area(area))):
            if key not in asked:
                asked.append(key)
    return [_kept_bucket(catalog, rules, version, kinds, country, area) for country, area in asked]


def unique_rows(buckets: Sequence[Bucket]) -> Sequence[Row]:
    """The rows of ``buckets``, each service once (in bucket order; a service's rows in
    two buckets are equal, as they are made from the same card, tags and kinds)."""
    if len(buckets) == 1:
        return buckets[0].rows
    return list({row.sid: row for bucket in buckets for row in bucket.rows}.values())
