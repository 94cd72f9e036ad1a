"""The one error hierarchy of freechoice.

Every error the library raises on purpose derives from :class:`FreechoiceError`::

    FreechoiceError
    ├── ValidationFailed        bad input; carries every problem with its field path
    ├── CatalogError            the catalog is inconsistent (unknown provider, duplicate id)
    │   └── ReferralCycleError  `requires`/`refers_to` edges form a cycle (the cycle is named)
    ├── RuleError               a rule pack is invalid or cannot be compiled
    │   └── RuleEngineError     durable-rules failed while evaluating (an action raised, a crash)
    ├── ChoiceError             a choice names options not on the list, or consent it cannot take
    ├── ConflictError           a record cannot be made twice (a transfer paid twice, a second schedule)
    ├── DataKeyError            client data cannot be encrypted or read back (key missing or not listed)
    ├── SignatureError          a webhook delivery's signature does not verify (or its timestamp is too old)
    ├── TransitionError         a referral cannot move to that status (the allowed ones are named)
    └── ApiError                the HTTP API answered with a problem (freechoice.client; one
                                subclass per status, the RFC 9457 document in ``problem``)

It lives in ``freechoice.catalog`` because the catalog is the bottom layer that every
other subpackage imports; ``freechoice.engine`` re-exports all of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CatalogError",
    "ChoiceError",
    "ConflictError",
    "DataKeyError",
    "FreechoiceError",
    "Problem",
    "ReferralCycleError",
    "RuleEngineError",
    "RuleError",
    "SignatureError",
    "TransitionError",
    "ValidationFailed",
]


class FreechoiceError(Exception):
    """Base class of every error freechoice raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and what would be allowed."""

    field: str
    message: str
    allowed: Sequence[Any] | None = None
    value: Any = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}"
        if self.allowed:
            shown = ", ".join(str(a) for a in list(self.allowed)[:30])
            more = "" if len(self.allowed) <= 30 else f", ... ({len(self.allowed)} in all)"
            text += f" (allowed: {shown}{more})"
        return text

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.allowed:
            out["allowed"] = list(self.allowed)
        return out


class ValidationFailed(FreechoiceError, ValueError):
    """Input was rejected. ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem], what: str = "input") -> None:
        self.problems = list(problems)
        self.what = what
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {what}: {len(self.problems)} problem(s)\n{lines}")


class DataKeyError(FreechoiceError):
    """Client data stored encrypted cannot be read (no key configured, or the key it was
    encrypted with is no longer listed in ``FREECHOICE_DATA_KEY``), or a key is invalid."""


class CatalogError(FreechoiceError):
    """The catalog is inconsistent."""


class ReferralCycleError(CatalogError):
    """Prerequisite or referral edges form a cycle; ``cycle`` lists its nodes in order."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = list(cycle)
        super().__init__("referral graph has a cycle: " + " -> ".join([*self.cycle, self.cycle[0]]))


class RuleError(FreechoiceError):
    """A rule pack is invalid or cannot be compiled."""


class RuleEngineError(RuleError):
    """The rule engine (durable-rules) failed while evaluating."""


class ChoiceError(FreechoiceError):
    """A choice does not fit the option list it is made over. ``problems`` names each
    bad field (``option_ids``, ``consent.<option id>``, ``decision``) with what is allowed."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class ConflictError(FreechoiceError):
    """A record that may exist only once exists already (a transfer already paid, a
    client's transfer schedule already made). ``field`` names what clashes."""

    def __init__(self, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class SignatureError(FreechoiceError, ValueError):
    """A webhook delivery that must not be trusted: the signature header is missing or
    malformed, no signature matches the body, or its timestamp is outside the tolerance
    (a replay). The message says which, never the secret."""


class TransitionError(FreechoiceError):
    """A referral status change that the lifecycle or the actor's side does not allow.

    ``allowed`` lists the moves the actor may make from the current status; ``others``
    maps the other side to the moves only it may make (empty at a final status)."""

    def __init__(self, message: str, allowed: Sequence[str], others: Mapping[str, Sequence[str]] | None = None) -> None:
        self.allowed = list(allowed)
        self.others = {side: list(moves) for side, moves in (others or {}).items() if moves}
        if self.allowed:
            tail = ", ".join(self.allowed)
        elif self.others:
            tail = "none for you; " + "; ".join(
                f"the {side} may move it to {', '.join(m)}" for side, m in self.others.items()
            )
        else:
            tail = "none (final status)"
        super().__init__(f"{message}; allowed: {tail}")
