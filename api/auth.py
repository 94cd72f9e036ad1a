"""API keys: hashed at rest, shown once, each bound to an organisation and a role."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from freechoice.catalog.db.tables import ApiKey

__all__ = [
    "Principal",
    "ROLES",
    "create_key",
    "hash_secret",
    "verify_token",
]

ROLES = ("admin", "caseworker", "partner")
Role = Literal["admin", "caseworker", "partner"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key, its organisation and its role."""

    key_id: str
    organization_id: str
    role: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, organization_id: str, role: str, *, label: str = "", created_by: str) -> tuple[str, str]:
    """Store a new key (hash only) and return (key id, the full token, shown once)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(ApiKey(id=key_id, secret_hash=hash_secret(secret), organization_id=organization_id, role=role,
                       label=label, created_by=created_by))
    return key_id, f"fc_{key_id}_{secret}"


def verify_token(session: Session, token: str) -> Principal | None:
    """The principal for a token, or None for a wrong, malformed or revoked key."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "fc" or len(parts[1]) > 32 or not token.isprintable():
        return None
    row = session.get(ApiKey, parts[1])
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, hash_secret(parts[2])):
        return None
    return Principal(row.id, row.organization_id, row.role)
