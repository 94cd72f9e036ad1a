"""RFC 9457 problem details for every 4xx and 5xx: machine-readable, naming fields and
allowed values, each with the request id (also in the ``X-Request-ID`` header)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from freechoice.catalog import (
    CatalogError,
    ChoiceError,
    ConflictError,
    DataKeyError,
    ReferralCycleError,
    RuleError,
    TransitionError,
    ValidationFailed,
    problems_from_pydantic,
)

from .context import current_request_id

__all__ = ["MEDIA", "ProblemError", "TITLES", "install_problem_handlers", "problem"]

MEDIA = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal error",
    503: "Not ready",
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    request_id = current_request_id()
    if request_id is not None:
        body["request_id"] = request_id
    if status == 401:  # RFC 9110: a 401 names the scheme that would work
        headers = {"WWW-Authenticate": 'Bearer realm="freechoice"', **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


class ProblemError(Exception):
    """Raise inside a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers, extra


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, err: ProblemError) -> JSONResponse:
        return problem(err.status, err.detail, headers=err.headers, **err.extra)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, err: HTTPException) -> JSONResponse:
        return problem(err.status_code, str(err.detail), headers=getattr(err, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, err: RequestValidationError) -> JSONResponse:
        errors = []
        for e in err.errors():
            loc = [str(p) for p in e.get("loc", ()) if p not in ("body",)]
            field = ".".join(loc) or "(body)"
            item: dict[str, Any] = {"field": field, "message": e.get("msg", "")}
            if e.get("type") == "extra_forbidden":
                item["message"] = "unknown field (not part of the format)"
            ctx = e.get("ctx") or {}
            if "expected" in ctx:
                item["allowed"] = [
                    a.strip(" '") for a in str(ctx["expected"]).replace(" or ", ",").split(",") if a.strip(" '")
                ]
            errors.append(item)
        return problem(422, f"{len(errors)} problem(s) in the request", errors=errors)

    @app.exception_handler(ValidationFailed)
    async def _failed(_: Request, err: ValidationFailed) -> JSONResponse:
        return problem(422, f"invalid {err.what}", errors=[p.as_dict() for p in err.problems])

    @app.exception_handler(TransitionError)
    async def _transition(_: Request, err: TransitionError) -> JSONResponse:
        return problem(409, str(err), allowed=err.allowed)

    @app.exception_handler(ChoiceError)
    async def _choice(_: Request, err: ChoiceError) -> JSONResponse:
        errors = [p.as_dict() for p in err.problems]
        return problem(422, str(err).split("\n", 1)[0], errors=errors or None)

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, err: ConflictError) -> JSONResponse:
        return problem(409, str(err), errors=[{"field": err.field, "message": str(err)}] if err.field else None)

    @app.exception_handler(ReferralCycleError)
    async def _cycle(_: Request, err: ReferralCycleError) -> JSONResponse:
        return problem(422, str(err), cycle=err.cycle)

    @app.exception_handler(RuleError)
    async def _rules(_: Request, err: RuleError) -> JSONResponse:
        return problem(422, str(err))

    @app.exception_handler(DataKeyError)
    async def _data_key(_: Request, err: DataKeyError) -> JSONResponse:
        # the service's configuration, not the caller's request: say so without the key's details
        return problem(
            500,
            "stored client data cannot be read with the service's data key "
            "(an operator must check FREECHOICE_DATA_KEY)",
        )

    @app.exception_handler(CatalogError)
    async def _catalog(_: Request, err: CatalogError) -> JSONResponse:
        return problem(409, str(err))


def pydantic_problem(err: Any, prefix: str = "") -> ProblemError:
    return ProblemError(422, "invalid input", errors=[p.as_dict() for p in problems_from_pydantic(err, prefix)])
