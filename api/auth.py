"""API keys: hashed at rest, shown once, each bound to an organisation and a role."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from freechoice.catalog.db.tables import AccessState, ApiKey, OrganizationRow, PersonRow

__all__ = [
    "Principal",
    "ROLES",
    "access_revision",
    "active_admin_keys",
    "bump_access_revision",
    "create_key",
    "hash_secret",
    "verify_token",
]

ROLES = ("admin", "caseworker", "partner")
Role = Literal["admin", "caseworker", "partner"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its organisation and its role; ``person_id`` when a
    person acts (signed in to the pages, where ``key_id`` is their id, or through a key
    issued to them), so the audit log names them."""

    key_id: str
    organization_id: str
    role: str
    person_id: str | None = None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    organization_id: str,
    role: str,
    *,
    label: str = "",
    created_by: str,
    person_id: str | None = None,
) -> tuple[str, str]:
    """Store a new key (hash only) and return (key id, the full token, shown once).
    ``person_id``: a key issued to one person (their calls are audited under their name)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            id=key_id,
            secret_hash=hash_secret(secret),
            organization_id=organization_id,
            role=role,
            label=label,
            created_by=created_by,
            person_id=person_id,
        )
    )
    return key_id, f"fc_{key_id}_{secret}"


def verify_token(session: Session, token: str) -> Principal | None:
    """The principal for a token, or None for a wrong, malformed or revoked key, a key
    of a deactivated organisation, or one issued to a person whose account is disabled."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "fc" or len(parts[1]) > 32 or not token.isprintable():
        return None
    found = session.execute(
        select(ApiKey, OrganizationRow.deactivated_at, PersonRow.disabled_at)
        .join(OrganizationRow, OrganizationRow.id == ApiKey.organization_id)
        .outerjoin(PersonRow, PersonRow.id == ApiKey.person_id)
        .where(ApiKey.id == parts[1])
    ).first()
    if found is None:
        return None
    row, deactivated_at, person_disabled_at = found
    if row.revoked_at is not None or deactivated_at is not None or person_disabled_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, hash_secret(parts[2])):
        return None
    return Principal(row.id, row.organization_id, row.role, row.person_id)


def access_revision(conn: Session | Connection) -> int:
    """The access revision: it moves with every revocation and (de)activation."""
    return conn.scalar(select(AccessState.revision).where(AccessState.id == 1)) or 0


def bump_access_revision(session: Session) -> None:
    """Move the access revision, in the caller's write transaction (which it also
    serialises with every other access change: the row stays locked until commit)."""
    if (
        session.execute(
            update(AccessState).where(AccessState.id == 1).values(revision=AccessState.revision + 1)
        ).rowcount
        == 0
    ):
        session.add(AccessState(id=1, revision=1))
        session.flush()


def active_admin_keys(session: Session, *, except_key: str | None = None, except_org: str | None = None) -> int:
    """How many admin keys work now (not revoked, organisation active), leaving out
    ``except_key`` and the keys of ``except_org``."""
    q = (
        select(func.count())
        .select_from(ApiKey)
        .join(OrganizationRow, OrganizationRow.id == ApiKey.organization_id)
        .where(ApiKey.role == "admin", ApiKey.revoked_at.is_(None), OrganizationRow.deactivated_at.is_(None))
    )
    if except_key is not None:
        q = q.where(ApiKey.id != except_key)
    if except_org is not None:
        q = q.where(ApiKey.organization_id != except_org)
    return int(session.scalar(q) or 0)
