"""Accounts of people who sign in to the pages: argon2id password hashes, sign-in with a
lock after repeated failures, server-side sessions (revocable), password reset by an admin.

Plain functions over a SQLAlchemy session; the caller owns the transaction (write them
inside ``Database.writing()`` / ``write_transaction``). No FastAPI here: the command line
uses the same functions.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from freechoice.catalog import Problem, ValidationFailed
from freechoice.catalog.db.tables import OrganizationRow, PersonRow, WebSession

from ..auth import Principal

__all__ = [
    "MIN_PASSWORD",
    "PERSON_ROLES",
    "Person",
    "SignIn",
    "create_person",
    "end_session",
    "person_for_session",
    "reset_password",
    "set_disabled",
    "sign_in",
]

#: caseworker, partner staff, programme manager, admin
PERSON_ROLES = ("caseworker", "partner", "manager", "admin")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both answers take as long.
    Made on first use, not at import: an argon2id hash costs a third of a second of
    CPU, which every worker paid before it could answer anything."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Person:
    """A signed-in person, as the pages see them."""

    id: str
    username: str
    display_name: str
    organization_id: str
    role: str
    language: str | None
    csrf_token: str

    @property
    def principal(self) -> Principal:
        """The person as the API's caller: audit entries carry their id."""
        return Principal(self.id, self.organization_id, self.role, self.id)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session token (set as the cookie) or why not."""

    token: str | None = None
    person_id: str | None = None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.token is not None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            [Problem("password", f"at least {MIN_PASSWORD} characters", None, None)], what="password"
        )


def create_person(
    session: Session,
    *,
    username: str,
    password: str,
    organization_id: str,
    role: str,
    display_name: str = "",
    language: str | None = None,
    created_by: str,
) -> str:
    """Add an account and return its id. Every problem (username taken or malformed,
    unknown role, unknown or deactivated organisation, short password) is reported
    with the allowed values."""
    problems = []
    if not _USERNAME.match(username):
        problems.append(
            Problem("username", "2-64 of a-z, 0-9, '.', '_', '-' (lower case, starting with a letter or digit)")
        )
    elif session.scalar(select(PersonRow.id).where(PersonRow.username == username)) is not None:
        problems.append(Problem("username", f"'{username}' is taken"))
    if role not in PERSON_ROLES:
        problems.append(Problem("role", f"unknown role '{role}'", list(PERSON_ROLES), role))
    org = session.get(OrganizationRow, organization_id)
    if org is None:
        problems.append(Problem("organization", f"no organisation '{organization_id}'"))
    elif org.deactivated_at is not None:
        problems.append(Problem("organization", f"organisation '{organization_id}' is deactivated: activate it first"))
    if len(password) < MIN_PASSWORD:
        problems.append(Problem("password", f"at least {MIN_PASSWORD} characters"))
    if problems:
        raise ValidationFailed(problems, what="account")
    person_id = "pe-" + secrets.token_hex(8)
    session.add(
        PersonRow(
            id=person_id,
            username=username,
            display_name=display_name or username,
            organization_id=organization_id,
            role=role,
            password_hash=_HASHER.hash(password),
            language=language,
            failed_logins=0,
            created_by=created_by,
        )
    )
    session.flush()
    return person_id


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    max_failures: int,
    lockout: dt.timedelta,
    session_length: dt.timedelta,
    now: dt.datetime | None = None,
) -> SignIn:
    """Check the password and open a session. ``max_failures`` wrong passwords in a row
    lock the account for ``lockout``; while locked, even the right password is refused.
    A disabled account, or one whose organisation is deactivated, cannot sign in."""
    now = now or _now()
    row = session.scalar(select(PersonRow).where(PersonRow.username == username.strip().lower()).with_for_update())
    if row is None:
        _verify(_dummy_hash(), password)
        return SignIn()
    locked = _aware(row.locked_until)
    if locked is not None and locked > now:
        return SignIn(person_id=row.id, locked_until=locked)
    org = session.get(OrganizationRow, row.organization_id)
    if not _verify(row.password_hash, password) or row.disabled_at is not None or org is None or org.deactivated_at:
        row.failed_logins = (row.failed_logins or 0) + 1
        if row.failed_logins >= max_failures:
            row.failed_logins, row.locked_until = 0, now + lockout
            return SignIn(person_id=row.id, locked_until=row.locked_until)
        return SignIn(person_id=row.id)
    row.failed_logins, row.locked_until = 0, None
    if _HASHER.check_needs_rehash(row.password_hash):
        row.password_hash = _HASHER.hash(password)
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_digest(token),
            person_id=row.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + session_length,
        )
    )
    # expired sessions of this person go as they sign in again
    session.execute(delete(WebSession).where(WebSession.person_id == row.id, WebSession.expires_at < now))
    return SignIn(token=token, person_id=row.id)


def _verify(encoded: str, password: str) -> bool:
    try:
        return _HASHER.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def person_for_session(session: Session, token: str, *, now: dt.datetime | None = None) -> Person | None:
    """The person signed in with this session cookie, or None (unknown, ended or
    expired session; account disabled; organisation deactivated)."""
    if not token or len(token) > 128:
        return None
    found = session.execute(
        select(WebSession, PersonRow, OrganizationRow.deactivated_at)
        .join(PersonRow, PersonRow.id == WebSession.person_id)
        .join(OrganizationRow, OrganizationRow.id == PersonRow.organization_id)
        .where(WebSession.id == _digest(token))
    ).first()
    if found is None:
        return None
    web, person, deactivated = found
    expires = _aware(web.expires_at)
    if expires is None or expires <= (now or _now()) or person.disabled_at is not None or deactivated is not None:
        return None
    return Person(
        person.id,
        person.username,
        person.display_name,
        person.organization_id,
        person.role,
        person.language,
        web.csrf_token,
    )


def end_session(session: Session, token: str) -> None:
    """Sign out: the session row goes, so the cookie no longer works anywhere."""
    session.execute(delete(WebSession).where(WebSession.id == _digest(token)))


def reset_password(session: Session, username: str, password: str) -> str:
    """Set a new password (an admin's act), lift any lock and end every session of the
    person. Returns the person's id."""
    row = session.scalar(select(PersonRow).where(PersonRow.username == username))
    if row is None:
        raise ValidationFailed([Problem("username", f"no account '{username}'")], what="account")
    _check_password(password)
    row.password_hash = _HASHER.hash(password)
    row.password_changed_at = _now()
    row.failed_logins, row.locked_until = 0, None
    session.execute(delete(WebSession).where(WebSession.person_id == row.id))
    return row.id


def set_disabled(
    session: Session,
    username: str,
    *,
    disabled: bool,
    by: str | None = None,
    organization_id: str | None = None,
    now: dt.datetime | None = None,
) -> PersonRow:
    """Disable (or enable again) an account and return it. Disabling ends every session
    of the person at once (their cookies stop working) and stops the API keys issued
    to them; enabling lets them sign in again (their old sessions stay ended).

    ``by``: the id of the person acting, who cannot disable themself;
    ``organization_id``: theirs, when they may act only on their own organisation's
    people (another's is reported as no such account). The caller bumps the access
    revision (:func:`freechoice.api.auth.bump_access_revision`) and writes the audit entry."""
    row = session.scalar(select(PersonRow).where(PersonRow.username == username.strip().lower()).with_for_update())
    if row is None or (organization_id is not None and row.organization_id != organization_id):
        raise ValidationFailed([Problem("username", f"no account '{username}'")], what="account")
    if disabled and by is not None and row.id == by:
        raise ValidationFailed(
            [Problem("username", "you cannot disable your own account; ask another administrator")], what="account"
        )
    if disabled:
        if row.disabled_at is None:
            row.disabled_at = now or _now()
        session.execute(delete(WebSession).where(WebSession.person_id == row.id))
    else:
        row.disabled_at = None
    return row
