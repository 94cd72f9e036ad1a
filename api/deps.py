"""Request dependencies: state, database session, the caller and their role.

They are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, one
hand-over per dependency per request, and none of these blocks (the one database
lookup, for a key not yet in the cache, runs in the thread pool explicitly).
"""

from __future__ import annotations

from typing import Annotated, AsyncIterator, Callable

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from .auth import Principal, verify_token
from .problems import ProblemError
from .state import AppState

__all__ = ["Caller", "DbSession", "State", "get_principal", "require_role"]


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


async def get_principal(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer fc_<id>_<secret>")] = None,
    x_api_key: Annotated[str | None, Header(description="Alternative to Authorization")] = None,
) -> Principal:
    token = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    if not token:
        raise ProblemError(401, "an API key is required (Authorization: Bearer <key>)")
    state: AppState = request.app.state.freechoice
    principal = state.keys.get(token)
    if principal is None:
        principal = await run_in_threadpool(_verify, state, token)
        if principal is not None:
            state.keys.put(token, principal)
    if principal is None:
        raise ProblemError(401, "the API key is not valid")
    request.state.principal = principal
    return principal


def _verify(state: AppState, token: str) -> Principal | None:
    with state.db.session() as s:
        return verify_token(s, token)


Caller = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: str) -> Callable[..., Principal]:
    async def check(principal: Caller) -> Principal:
        if principal.role not in roles:
            raise ProblemError(403, f"this needs the role {' or '.join(roles)}; your key is {principal.role}")
        return principal

    return check
