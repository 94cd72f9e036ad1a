"""Client fields encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

The columns that hold what a client said or chose (assessments, option lists,
choices, what a referral shares, feedback text, referral reasons, stored idempotent
responses) are declared :class:`SealedJSON` or :class:`SealedText`. When the
:class:`Database` has a :class:`Sealer` (from ``FREECHOICE_DATA_KEY``), a value is
encrypted on its way into the database and decrypted on its way out; without one,
values are stored as they are. Both forms can be read side by side, so a database
can start without a key and be sealed later (:func:`reseal`).

Stored forms: a JSON column holds ``{"fernet": "<token>"}``; a text column holds
``fernet:<token>``. Columns that are searched (``client_ref``, ids, statuses) stay
as they are: a ``client_ref`` is a pseudonym, never a name.

``FREECHOICE_DATA_KEY`` lists one or more Fernet keys separated by commas: the first
encrypts, every listed key decrypts (:class:`cryptography.fernet.MultiFernet`).
Rotation: put a new key first, keep the old ones listed, run
``freechoice db rotate-key --yes`` (every sealed value re-encrypted under the first
key, every plain one sealed), then drop the old keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Connection, Text, cast, column, inspect, literal, select, table, tuple_, update
from sqlalchemy.types import TypeDecorator

from ..errors import DataKeyError
from .rawjson import RawJSON

__all__ = [
    "ResealSummary",
    "SEALED_COLUMNS",
    "SealedJSON",
    "SealedText",
    "Sealer",
    "generate_key",
    "has_sealed",
    "is_sealed",
    "reseal",
    "sealer_of",
]

_TEXT_PREFIX = "fernet:"


def generate_key() -> str:
    """A new random Fernet key (URL-safe base64, 32 bytes)."""
    return Fernet.generate_key().decode()


class Sealer:
    """Encrypts with the first key; decrypts with any listed key.

    Parameters
    ----------
    keys : Fernet keys, newest first (or one string with keys separated by commas).
    """

    def __init__(self, keys: str | Sequence[str]) -> None:
        if isinstance(keys, str):
            keys = [k for k in (part.strip() for part in keys.replace("\n", ",").split(",")) if k]
        if not keys:
            raise DataKeyError("FREECHOICE_DATA_KEY: no key given (make one with: freechoice db generate-key)")
        fernets = []
        for i, key in enumerate(keys):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise DataKeyError(
                    f"FREECHOICE_DATA_KEY: key {i + 1} of {len(keys)} is not a Fernet key "
                    "(32 bytes, URL-safe base64; make one with: freechoice db generate-key)"
                ) from None
        self.key_count = len(fernets)
        self._multi = MultiFernet(fernets)

    @classmethod
    def from_setting(cls, value: str | None) -> Sealer | None:
        """The sealer for a ``FREECHOICE_DATA_KEY`` value; ``None`` when it is empty."""
        if value is None or not value.strip():
            return None
        return cls(value)

    def seal(self, data: bytes) -> str:
        return self._multi.encrypt(data).decode()

    def open(self, token: str) -> bytes:
        try:
            return self._multi.decrypt(token.encode())
        except InvalidToken:
            raise DataKeyError(
                "stored client data was encrypted with a key that FREECHOICE_DATA_KEY no longer lists "
                "(or the value was altered)"
            ) from None

    def rotate(self, token: str) -> str:
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError(
                "stored client data was encrypted with a key that FREECHOICE_DATA_KEY no longer lists "
                "(or the value was altered)"
            ) from None


def sealer_of(dialect: Any) -> Sealer | None:
    """The sealer a :class:`Database` attached to its engine's dialect (or None)."""
    return getattr(dialect, "freechoice_sealer", None)


def _missing_key() -> DataKeyError:
    return DataKeyError("stored client data is encrypted and no key is configured: set FREECHOICE_DATA_KEY")


def is_sealed(value: Any) -> bool:
    """Whether a stored value (as the driver returns it) is in sealed form."""
    if isinstance(value, dict):
        return len(value) == 1 and isinstance(value.get("fernet"), str)
    return isinstance(value, str) and value.startswith(_TEXT_PREFIX)


class SealedJSON(TypeDecorator[Any]):
    """A JSON column whose values are encrypted when the database has a key."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        sealer = sealer_of(dialect)
        if sealer is None or value is None:
            return value
        raw = value.encode() if isinstance(value, RawJSON) else orjson.dumps(value)
        return {"fernet": sealer.seal(raw)}

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if not is_sealed(value):
            return value
        sealer = sealer_of(dialect)
        if sealer is None:
            raise _missing_key()
        return orjson.loads(sealer.open(value["fernet"]))


class SealedText(TypeDecorator[str]):
    """A text column whose values are encrypted when the database has a key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        sealer = sealer_of(dialect)
        if sealer is None or value is None:
            return value
        return _TEXT_PREFIX + sealer.seal(value.encode())

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or not is_sealed(value):
            return value
        sealer = sealer_of(dialect)
        if sealer is None:
            raise _missing_key()
        return sealer.open(value[len(_TEXT_PREFIX) :]).decode()


# (table, primary key columns, sealed column, "json" or "text"): every column that holds
# client data. A test checks this list against the tables' SealedJSON/SealedText columns.
SEALED_COLUMNS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("assessments", ("id",), "data", "json"),
    ("option_lists", ("id",), "data", "json"),
    ("choices", ("id",), "data", "json"),
    ("referrals", ("id",), "shared", "json"),
    ("referral_events", ("id",), "reason", "text"),
    ("feedback", ("id",), "text", "text"),
    ("idempotency", ("key_id", "key"), "body", "json"),
    ("intake_drafts", ("id",), "data", "json"),
    ("webhook_subscriptions", ("id",), "secret", "text"),
    ("webhook_deliveries", ("id",), "payload", "json"),
    ("spending_plans", ("id",), "data", "json"),
    ("follow_ups", ("id",), "data", "json"),
)


def has_sealed(connection: Connection) -> bool:
    """Whether any client-data value is stored sealed."""
    present = set(inspect(connection).get_table_names())
    for name, _, col, kind in SEALED_COLUMNS:
        if name not in present:  # a table a later migration adds
            continue
        pattern = '{"fernet":%' if kind == "json" else _TEXT_PREFIX + "%"
        value = cast(column(col), Text)
        if connection.execute(
            select(literal(1)).select_from(table(name, column(col))).where(value.like(pattern)).limit(1)
        ).first():
            return True
    return False


@dataclass
class ResealSummary:
    """Per table: values sealed that were plain, and values re-encrypted under the first key."""

    sealed: dict[str, int] = field(default_factory=dict)
    rotated: dict[str, int] = field(default_factory=dict)


def reseal(
    connection: Connection,
    sealer: Sealer | None,
    *,
    open_only: bool = False,
    batch: int = 500,
    commit: Callable[[], None] | None = None,
    tables: Iterable[str] | None = None,
) -> ResealSummary:
    """Bring every client-data value to the form ``sealer`` writes: plain values are
    sealed, sealed ones re-encrypted under its first key. With ``open_only`` (a
    migration down, or leaving encryption), sealed values are decrypted back to plain.

    Works on the stored values directly (not through the column types), ``batch`` rows
    at a time in primary-key order; ``commit`` (if given) is called after each batch,
    so a long run holds the writer lock in short pieces (every value is readable with
    the listed keys at every moment).
    """
    if sealer is None:
        if open_only:
            raise _missing_key()
        raise DataKeyError("no key configured: set FREECHOICE_DATA_KEY (make one with: freechoice db generate-key)")
    wanted = set(tables) if tables is not None else None
    present = set(inspect(connection).get_table_names())
    summary = ResealSummary()
    for name, keys, col, kind in SEALED_COLUMNS:
        if (wanted is not None and name not in wanted) or name not in present:
            continue  # not asked for, or a table a later migration adds
        value_col = column(col, JSON() if kind == "json" else Text())
        key_cols: list[Any] = [column(k) for k in keys]
        t = table(name, value_col, *key_cols)
        sealed = rotated = 0
        after: tuple[Any, ...] | None = None
        while True:
            q = select(*key_cols, value_col).where(value_col.is_not(None)).order_by(*key_cols).limit(batch)
            if after is not None:
                q = q.where(tuple_(*key_cols) > tuple_(*after)) if len(keys) > 1 else q.where(key_cols[0] > after[0])
            rows = connection.execute(q).all()
            if not rows:
                break
            for row in rows:
                pk, value = tuple(row[: len(keys)]), row[len(keys)]
                new = _resealed(value, kind, sealer, open_only)
                if new is None:
                    continue
                if is_sealed(value):
                    rotated += 1
                else:
                    sealed += 1
                cond = [kc == v for kc, v in zip(key_cols, pk)]
                connection.execute(update(t).where(*cond).values({col: new}))
            after = tuple(rows[-1][: len(keys)])
            if commit is not None:
                commit()
        summary.sealed[name], summary.rotated[name] = sealed, rotated
    return summary


def _resealed(value: Any, kind: str, sealer: Sealer, open_only: bool) -> Any:
    """The new stored form of ``value``, or None when it stays as it is."""
    if kind == "json":
        if is_sealed(value):
            if open_only:
                return orjson.loads(sealer.open(value["fernet"]))
            return {"fernet": sealer.rotate(value["fernet"])}
        if open_only:
            return None
        return {"fernet": sealer.seal(orjson.dumps(value))}
    if is_sealed(value):
        if open_only:
            return sealer.open(value[len(_TEXT_PREFIX) :]).decode()
        return _TEXT_PREFIX + sealer.rotate(value[len(_TEXT_PREFIX) :])
    if open_only:
        return None
    return _TEXT_PREFIX + sealer.seal(value.encode())
