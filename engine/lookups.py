"""Catalog look-ups that many option lists ask for alike, kept per catalog version.

Clients in one place with one need ask the catalog's index the same question: which
services of these kinds serve these places, and, when nothing does, which serve the
rest of the country, by area. At national scale each answer walks thousands of index
entries (the country-wide and remote services grow with the catalog), so answers are
kept per catalog for its current version (at most 128): a change to the catalog moves
the version on, the answers of the old one are dropped and the next list asks afresh. Answers are read-only (frozen sets).

A catalog that keeps its own answers (``keeps_answers``: the database-backed catalog,
which drops only the answers a change could move and loads the cards an answer names)
is asked directly: a second copy here would only cost memory, and be dropped on every
change anywhere in the catalog.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping

from cachetools import LRUCache

from freechoice.catalog import Catalog

__all__ = ["candidates", "in_country"]

_LIMIT = 128  # answers kept per catalog (few places x needs ask most questions)

_Key = tuple[str, frozenset[str], tuple[tuple[str, str | None], ...] | str]

# catalog -> (its version, answers): answers of an older version are dropped at once
_KEPT: weakref.WeakKeyDictionary[Catalog, tuple[str, LRUCache[_Key, object]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _kept(catalog: Catalog, version: str, key: _Key) -> object | None:
    with _LOCK:
        found = _KEPT.get(catalog)
        if found is None or found[0] != version:
            return None
        return found[1].get(key)


def _keep(catalog: Catalog, version: str, key: _Key, value: object) -> None:
    with _LOCK:
        found = _KEPT.get(catalog)
        if found is None or found[0] != version:
            found = _KEPT[catalog] = (version, LRUCache(maxsize=_LIMIT))
        found[1][key] = value


def candidates(catalog: Catalog, kinds: Iterable[str], places: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """:meth:`Catalog.candidates`, kept per catalog version."""
    kinds = frozenset(kinds)
    places = tuple(places)
    if catalog.keeps_answers:
        return frozenset(catalog.candidates(kinds, places))
    version = catalog.version
    key: _Key = ("candidates", kinds, places)
    hit = _kept(catalog, version, key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    found = frozenset(catalog.candidates(kinds, places))
    if catalog.version == version:  # not changed while it was asked
        _keep(catalog, version, key, found)
    return found


def in_country(catalog: Catalog, kinds: Iterable[str], country: str) -> Mapping[str | None, frozenset[str]]:
    """:meth:`Catalog.in_country`, kept per catalog version."""
    kinds = frozenset(kinds)
    if catalog.keeps_answers:
        return {area: frozenset(ids) for area, ids in catalog.in_country(kinds, country).items()}
    version = catalog.version
    key: _Key = ("in_country", kinds, country)
    hit = _kept(catalog, version, key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    found = {area: frozenset(ids) for area, ids in catalog.in_country(kinds, country).items()}
    if catalog.version == version:
        _keep(catalog, version, key, found)
    return found
