"""Bulk work without the cyclic garbage collector walking millions of fresh objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk import or export.

    Parsing or building hundreds of megabytes of JSON creates millions of containers;
    each of them counts towards the collector's thresholds, and every full collection
    walks them all again, so the cost grows faster than the data. The objects built
    here hold no cycles; reference counting frees them as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
