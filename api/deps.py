"""Request dependencies: state, database session, the caller and their role, rate limits.

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, one
hand-over per dependency per request, and none of these blocks (the database reads, for
a key not yet in the cache and for the access revision when it is due, run in the
thread pool explicitly).
"""

from __future__ import annotations

from typing import Annotated, AsyncIterator, Awaitable, Callable

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from .auth import Principal, verify_token
from .problems import ProblemError
from .state import AppState

__all__ = ["Caller", "DbSession", "MaybeCaller", "State", "get_principal", "optional_principal", "rate_limited",
           "require_role"]


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


def _token(authorization: str | None, x_api_key: str | None) -> str | None:
    token = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    return token or None


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
        raise ProblemError(401, "the API key is not valid (wrong, revoked, or its organization is deactivated)")
    request.state.principal = principal
    return principal


async def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer fc_<id>_<secret>")] = None,
    x_api_key: Annotated[str | None, Header(description="Alternative to Authorization")] = None,
) -> Principal:
    token = _token(authorization, x_api_key)
    if token is None:
        raise ProblemError(401, "an API key is required (Authorization: Bearer <key>)")
    return await _authenticate(request, token)


async def optional_principal(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer fc_<id>_<secret> (optional here)")] = None,
    x_api_key: Annotated[str | None, Header(description="Alternative to Authorization")] = None,
) -> Principal | None:
    """The caller when a key is given (it must then be valid), else None."""
    token = _token(authorization, x_api_key)
    return None if token is None else await _authenticate(request, token)


def _verify(state: AppState, token: str) -> Principal | None:
    with state.db.session() as s:
        return verify_token(s, token)


Caller = Annotated[Principal, Depends(get_principal)]
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
            raise ProblemError(429, f"too many {action} requests from {whose}: at most {limiter.limit} per "
                               f"{limiter.window:g} seconds; try again later", headers={"Retry-After": limiter.retry_after(wait)})
        return who

    return check


def require_role(*roles: str) -> Callable[..., Principal]:
    async def check(principal: Caller) -> Principal:
        if principal.role not in roles:
            raise ProblemError(403, f"this needs the role {' or '.join(roles)}; your key is {principal.role}")
        return principal

    return check
