"""Pages call the API's own functions; this turns what those raise into something a
page can show: a status and a message, with the fields the message is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
from fastapi import Request
from pydantic import ValidationError

from freechoice.catalog import (
    CatalogError,
    ChoiceError,
    FreechoiceError,
    ReferralCycleError,
    TransitionError,
    ValidationFailed,
    problems_from_pydantic,
)

from ..pagination import PageRequest, Paging
from ..problems import ProblemError

__all__ = ["Refused", "call", "every_item"]

T = TypeVar("T")


@dataclass
class Refused(Exception):
    """The API refused: ``status`` as the API answers, its message, and per field what is wrong."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def _fields(problems: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in problems:
        text = p.message
        if p.allowed:
            text += " (" + ", ".join(str(a) for a in list(p.allowed)[:30]) + ")"
        out.setdefault(p.field, text)
    return out


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, with every refusal raised as :class:`Refused`."""
    try:
        return fn(*args, **kwargs)
    except ProblemError as err:
        errors = err.extra.get("errors") or []
        raise Refused(err.status, err.detail, {e["field"]: e["message"] for e in errors}) from None
    except ValidationFailed as err:
        raise Refused(422, f"invalid {err.what}", _fields(err.problems)) from None
    except ValidationError as err:
        raise Refused(422, "please check the form", _fields(problems_from_pydantic(err))) from None
    except TransitionError as err:
        raise Refused(409, str(err)) from None
    except ChoiceError as err:
        raise Refused(422, str(err).split("\n", 1)[0], _fields(err.problems)) from None
    except ReferralCycleError as err:
        raise Refused(422, str(err)) from None
    except CatalogError as err:
        raise Refused(409, str(err)) from None
    except FreechoiceError as err:
        raise Refused(422, str(err)) from None


def every_item(
    fn: Callable[..., Any], paging: Paging, request: Request, *args: Any, most: int = 2000, **kwargs: Any
) -> list[dict[str, Any]]:
    """The items of a paged API list, page after page (its own order), at most ``most``:
    ``fn(*args, page=<PageRequest>, **kwargs)`` is the API's list route."""
    items: list[dict[str, Any]] = []
    after = None
    while len(items) < most:
        page = PageRequest(paging, request, paging.maximum, after)
        body = orjson.loads(bytes(call(fn, *args, page=page, **kwargs).body))
        items.extend(body["items"])
        if not body["next"]:
            break
        cursor = dict(p.split("=", 1) for p in body["next"].split("?", 1)[1].split("&"))["cursor"]
        after = paging.decode(cursor)
    return items[:most]
