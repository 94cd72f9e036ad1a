"""Problems the API answers with, raised as exceptions of the one hierarchy.

Every 4xx and 5xx the service sends is an RFC 9457 problem document; the client raises
it as an :class:`ApiError` (a :class:`~freechoice.catalog.errors.FreechoiceError`), one
subclass per status a caller handles differently, each carrying the parsed document::

    FreechoiceError
    └── ApiError                  any problem; .status, .problem, .request_id
        ├── InvalidRequest        400, 422 (also a ValidationFailed: .problems by field)
        ├── Unauthorized          401: no key, or the key is not valid
        ├── Forbidden             403: the key's role may not do this
        ├── NotFound              404: no such object, or not yours
        ├── Conflict              409: .allowed names the moves a referral may make
        ├── PreconditionFailed    412, 428: .etag is the current one (read it again)
        ├── TooLarge              413
        ├── UnsupportedMediaType  415
        ├── RateLimited           429: .retry_after in seconds
        └── ServerError           5xx
"""

from __future__ import annotations

import datetime as dt
import email.utils
from http import HTTPStatus
from typing import Any

import httpx
from pydantic import ValidationError

from freechoice.catalog.errors import FreechoiceError, Problem, ValidationFailed

from .models import MEDIA, ProblemDocument

__all__ = [
    "ApiError",
    "Conflict",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "PreconditionFailed",
    "ProblemDocument",
    "RateLimited",
    "ServerError",
    "TooLarge",
    "Unauthorized",
    "UnexpectedResponse",
    "UnsupportedMediaType",
    "error_for",
    "retry_after_seconds",
]


class ApiError(FreechoiceError):
    """The API answered with a problem. ``problem`` is the RFC 9457 document as sent
    (members beyond the standard ones are in ``problem.model_extra``)."""

    def __init__(self, problem: ProblemDocument, headers: httpx.Headers | None = None) -> None:
        self.problem = problem
        self.headers = headers if headers is not None else httpx.Headers()
        lines = [f"{problem.status} {problem.title}: {problem.detail}"]
        lines += [f"  - {e.field}: {e.message}" for e in problem.errors or []]
        if problem.request_id:
            lines.append(f"  (request id {problem.request_id})")
        # not super().__init__: ValidationFailed, a sibling base of InvalidRequest, takes other arguments
        Exception.__init__(self, "\n".join(lines))

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def detail(self) -> str:
        return self.problem.detail

    @property
    def request_id(self) -> str | None:
        return self.problem.request_id or self.headers.get("x-request-id")

    def extra(self, name: str) -> Any:
        """A member of the problem beyond the standard ones (``allowed``, ``etag``...)."""
        return (self.problem.model_extra or {}).get(name)


class InvalidRequest(ApiError, ValidationFailed):
    """400 or 422: the request was refused; ``problems`` names every field with what is allowed."""

    def __init__(self, problem: ProblemDocument, headers: httpx.Headers | None = None) -> None:
        super().__init__(problem, headers)
        self.what = "request"
        self.problems = [
            Problem(field=e.field, message=e.message, allowed=e.allowed) for e in problem.errors or []
        ] or [Problem(field="(request)", message=problem.detail)]


class Unauthorized(ApiError):
    """401: no API key, or one that is unknown, revoked or of a deactivated organisation."""


class Forbidden(ApiError):
    """403: the key's role may not do this."""


class NotFound(ApiError):
    """404: no such object, or one the key's organisation may not see."""


class Conflict(ApiError):
    """409: the object's state does not allow it. For a referral move, ``allowed`` lists
    the moves the caller may make from its status."""

    @property
    def allowed(self) -> list[str]:
        return list(self.extra("allowed") or [])


class PreconditionFailed(ApiError):
    """412 (the object changed since the ETag sent) or 428 (If-Match is required);
    ``etag`` is the current one."""

    @property
    def etag(self) -> str | None:
        value = self.extra("etag")
        return str(value) if value is not None else None


class TooLarge(ApiError):
    """413: the request body is over the service's limit."""


class UnsupportedMediaType(ApiError):
    """415: the body is not sent as JSON."""


class RateLimited(ApiError):
    """429: too many requests; try again after ``retry_after`` seconds."""

    @property
    def retry_after(self) -> float | None:
        """The answer's ``Retry-After`` in seconds from now (it may be sent as an HTTP date)."""
        return retry_after_seconds(self.headers.get("retry-after"))


class ServerError(ApiError):
    """5xx: the service failed or is not ready; quote ``request_id`` when reporting it."""


class UnexpectedResponse(ApiError):
    """A success status whose body is not what the API describes (a proxy's page, or a
    client older than the service)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: TooLarge,
    415: UnsupportedMediaType,
    422: InvalidRequest,
    428: PreconditionFailed,
    429: RateLimited,
}


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from ``now``: delay-seconds (``"120"``) or an
    HTTP date (``"Wed, 02 Dec 2026 16:00:00 GMT"``, 0 when already past); None when
    absent or neither."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _title(response: httpx.Response) -> str:
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return response.reason_phrase or "Error"


def _document(response: httpx.Response) -> ProblemDocument:
    fallback = {
        "title": _title(response),
        "status": response.status_code,
        "detail": response.text[:500] or response.reason_phrase or "no detail",
    }
    content_type = response.headers.get("content-type", "")
    if content_type.startswith((MEDIA, "application/json")):
        try:
            body = response.json()
            if isinstance(body, dict):
                return ProblemDocument.model_validate({**fallback, **body, "status": response.status_code})
        except (ValueError, ValidationError):
            pass
    return ProblemDocument.model_validate(fallback)


def error_for(response: httpx.Response) -> ApiError:
    """The exception for a 4xx or 5xx response (the caller raises it)."""
    status = response.status_code
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return cls(_document(response), response.headers)
