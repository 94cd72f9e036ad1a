"""Read every column of every row of every table as stored, for tests that prove what a
database does or does not hold (erasure, encryption at rest)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, inspect, text

__all__ = ["find", "stored_values"]


def _as_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def stored_values(engine: Engine) -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value in the database."""
    tables = inspect(engine).get_table_names()
    assert tables, "no tables found"
    with engine.connect() as conn:
        for table in tables:
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            for row in result:
                for column, value in zip(columns, row):
                    if value is not None:
                        yield table, column, _as_text(value)


def find(engine: Engine, needles: set[str]) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a stored value contains one of ``needles``."""
    return sorted({(t, c, n) for t, c, v in stored_values(engine) for n in needles if n in v})
