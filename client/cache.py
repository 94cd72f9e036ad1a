"""The ETag cache: a read that carried an ETag is kept, and the next read of the same
URL sends ``If-None-Match``; a 304 answers from the cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

__all__ = ["ETagCache"]

M = TypeVar("M", bound=BaseModel)


class ETagCache:
    """Bodies of reads that carried an ETag, by URL, the most recent ``size`` kept (0:
    none). Callers get copies: changing one never changes what is cached."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[str, BaseModel]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> tuple[str, BaseModel] | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None:
                self._entries.move_to_end(url)
            return entry

    def put(self, url: str, etag: str, value: BaseModel) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[url] = (etag, value.model_copy(deep=True))
            self._entries.move_to_end(url)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def conditional(self, url: str, cls: type[M]) -> tuple[dict[str, str], Callable[[httpx.Response, Any], M]]:
        """The headers for a read of ``url`` (``If-None-Match`` when a copy is held), and
        how to read its answer: a 304 from the cache, a 200 parsed and kept."""
        held = self.get(url)
        headers = {"If-None-Match": held[0]} if held else {}

        def parse(response: httpx.Response, _: Any) -> M:
            if response.status_code == 304 and held is not None and isinstance(held[1], cls):
                return held[1].model_copy(deep=True)
            value = cls.model_validate_json(response.content)
            etag = response.headers.get("etag")
            if etag:
                self.put(url, etag, value)
            return value

        return headers, parse
