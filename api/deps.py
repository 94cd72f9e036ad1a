"""Request dependencies: state, database session, the caller and their role, rate limits.

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, one
hand-over per dependency per request, and none of these blocks (the database reads, for
a key not yet in the cache and for the access revision when it is due, run in the
thread pool explicitly).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from .auth import Principal, verify_token
from .problems import ProblemError
from .records import audited_read
from .state import AppState

__all__ = [
    "API_KEY",
    "BEARER",
    "Caller",
    "DbSession",
    "MaybeCaller",
    "OPTIONAL_KEY",
    "State",
    "get_principal",
    "optional_principal",
    "own_organization",
    "own_record",
    "rate_limited",
    "read_own",
    "require_role",
]


async def _state(request: Request) -> AppState:
    return request.app.state.freechoice  # type: ignore[no-any-return]


async def _session(request: Request) -> AsyncIterator[Session]:
    session = request.app.state.freechoice.db.session()
    try:
        yield session
    finally:
        session.close()


State = Annotated[AppState, Depends(_state)]
DbSession = Annotated[Session, Depends(_session)]


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="fc_<id>_<secret>",
    description="An API key: `Authorization: Bearer fc_<id>_<secret>` (admin, caseworker or partner).",
)
API_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="The same API key in the `X-API-Key` header (for callers that cannot set `Authorization`).",
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
ApiKey = Annotated[str | None, Security(API_KEY)]


def _token(bearer: HTTPAuthorizationCredentials | None, x_api_key: str | None) -> str | None:
    if bearer is not None:
        return bearer.credentials.strip() or None
    return x_api_key or None


async def _authenticate(request: Request, token: str) -> Principal:
    state: AppState = request.app.state.freechoice
    keys = state.keys
    if keys.check_due():  # a key revoked in any worker stops here within access_check_seconds
        await run_in_threadpool(state.refresh_access)
    principal = keys.get(token)
    if principal is None:
        revision = keys.revision
        principal = await run_in_threadpool(_verify, state, token)
        if principal is not None:
            keys.put(token, principal, revision)
    if principal is None:
        raise ProblemError(
            401,
            "the API key is not valid (wrong, revoked, or its organization is deactivated)",
            headers={"WWW-Authenticate": 'Bearer realm="freechoice", error="invalid_token"'},
        )
    request.state.principal = principal
    return principal


def _session_person(request: Request) -> Principal | None:
    """A person signed in to the pages, for a GET or HEAD without a key (the pages link
    to API reads such as the handout); never for a request that changes anything, so
    the cookie cannot be used for cross-site writes."""
    from .web.security import SESSION_COOKIE

    cookie = request.cookies.get(SESSION_COOKIE)
    if request.method not in ("GET", "HEAD") or not cookie:
        return None
    from .web.accounts import person_for_session

    with request.app.state.freechoice.db.session() as s:
        person = person_for_session(s, cookie)
    return person.principal if person is not None else None


async def get_principal(request: Request, bearer: Bearer, x_api_key: ApiKey) -> Principal:
    token = _token(bearer, x_api_key)
    if token is None:
        principal = await run_in_threadpool(_session_person, request)
        if principal is not None:
            request.state.principal = principal
            return principal
        raise ProblemError(401, "an API key is required (Authorization: Bearer <key>)")
    return await _authenticate(request, token)


async def optional_principal(request: Request, bearer: Bearer, x_api_key: ApiKey) -> Principal | None:
    """The caller when a key is given (it must then be valid), else None. Routes using it
    declare the key optional in the schema with ``openapi_extra=OPTIONAL_KEY``."""
    token = _token(bearer, x_api_key)
    return None if token is None else await _authenticate(request, token)


def _verify(state: AppState, token: str) -> Principal | None:
    with state.db.session() as s:
        return verify_token(s, token)


Caller = Annotated[Principal, Depends(get_principal)]
# an operation whose key is optional: the schema's "no security" alternative beside the schemes
OPTIONAL_KEY: dict[str, Any] = {"security": [{}]}
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]


def rate_limited(action: str) -> Callable[..., Awaitable[Principal | None]]:
    """A dependency that counts the request against ``action``'s limits: per API key
    when one is given, per client address otherwise (429 with ``Retry-After`` above).
    The limits are the settings ``<action>_per_key`` and ``<action>_per_address``."""

    async def check(request: Request, who: MaybeCaller) -> Principal | None:
        state: AppState = request.app.state.freechoice
        if who is not None:
            limiter, bucket, whose = state.limiter(action, "key"), f"key:{who.key_id}", "this API key"
        else:
            address = request.client.host if request.client else "unknown"
            limiter, bucket, whose = state.limiter(action, "address"), f"address:{address}", "this address"
        wait = limiter.hit(bucket)
        if wait > 0:
            raise ProblemError(
                429,
                f"too many {action} requests from {whose}: at most {limiter.limit} per "
                f"{limiter.window:g} seconds; try again later",
                headers={"Retry-After": limiter.retry_after(wait)},
            )
        return who

    return check


def require_role(*roles: str) -> Callable[..., Principal]:
    async def check(principal: Caller) -> Principal:
        if principal.role not in roles:
            raise ProblemError(403, f"this needs the role {' or '.join(roles)}; your key is {principal.role}")
        return principal

    return check


# ------------------------------------------------------------ one organisation's records


class _Owned(Protocol):
    organization_id: str


Owned = TypeVar("Owned", bound=_Owned)


def own_record(
    db: Session, model: type[Owned], record_id: str, who: Principal, noun: str, *, lock: bool = False
) -> Owned:
    """The record ``record_id`` of ``model`` when it belongs to the caller's organisation
    (``lock``: read for update, in the caller's write transaction); a 404 "no such
    <noun>" otherwise, the same for another organisation's record as for none, so
    nothing about it is disclosed."""
    row = db.get(model, record_id, with_for_update=lock or None)
    if row is None or row.organization_id != who.organization_id:
        raise ProblemError(404, f"no such {noun}")
    return row


def read_own(
    db: Session,
    model: type[Owned],
    record_id: str,
    who: Principal,
    noun: str,
    *,
    resource: str,
    client_ref: Callable[[Owned], str | None],
    **detail: Any,
) -> Owned:
    """:func:`own_record`, then the read recorded in the audit log (committed at once:
    see :func:`~freechoice.api.records.audited_read`) under ``resource``, with the
    record's client (``client_ref`` of the row) and ``detail``."""
    row = own_record(db, model, record_id, who, noun)
    audited_read(db, who, resource, record_id, client_ref(row), **detail)
    return row


def own_organization(who: Principal, organization_id: str | None) -> str | None:
    """The organisation a read is about: a caseworker's own (asking for another one is a
    404 "no such organization"); for an admin, the one asked for (None: every one)."""
    if who.role == "caseworker":
        if organization_id not in (None, who.organization_id):
            raise ProblemError(404, "no such organization")
        return who.organization_id
    return organization_id
