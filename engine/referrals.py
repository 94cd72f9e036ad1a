"""The referral lifecycle: who may move a referral from which status to which.

``draft -> sent -> accepted | declined -> in_progress -> completed | closed``.
The caseworker's side sends and closes; the receiving partner accepts, declines,
starts and completes. Declining and closing need a reason.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, Mapping

from freechoice.catalog import TransitionError

__all__ = ["FINAL", "NEEDS_REASON", "STATUSES", "TRANSITIONS", "allowed_transitions", "check_transition"]

Status = Literal["draft", "sent", "accepted", "declined", "in_progress", "completed", "closed"]
Side = Literal["caseworker", "partner"]

STATUSES: tuple[str, ...] = ("draft", "sent", "accepted", "declined", "in_progress", "completed", "closed")

#: (from status, to status) -> the side that may make the move.
TRANSITIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("draft", "sent"): "caseworker",
        ("draft", "closed"): "caseworker",
        ("sent", "accepted"): "partner",
        ("sent", "declined"): "partner",
        ("sent", "closed"): "caseworker",
        ("accepted", "in_progress"): "partner",
        ("accepted", "closed"): "caseworker",
        ("in_progress", "completed"): "partner",
        ("in_progress", "closed"): "caseworker",
    }
)
NEEDS_REASON = frozenset({"declined", "closed"})
FINAL = frozenset({"declined", "completed", "closed"})


def allowed_transitions(status: str, side: str | None = None) -> list[str]:
    """Statuses reachable from ``status`` (by ``side``, when given), in lifecycle order."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and (side is None or who == side)]


def check_transition(status: str, to: str, side: str, reason: str | None = None) -> None:
    """Raise :class:`TransitionError` unless ``side`` may move a referral from ``status`` to ``to``.

    >>> check_transition("sent", "accepted", "partner")
    >>> check_transition("draft", "completed", "caseworker")
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.TransitionError: cannot move a referral from 'draft' to 'completed' as caseworker; allowed: sent, closed
    """
    if to not in STATUSES:
        raise TransitionError(f"unknown status {to!r}", allowed_transitions(status, side))
    who = TRANSITIONS.get((status, to))
    if who != side:
        raise TransitionError(f"cannot move a referral from {status!r} to {to!r} as {side}", allowed_transitions(status, side))
    if to in NEEDS_REASON and not (reason and reason.strip()):
        raise TransitionError(f"moving to {to!r} needs a reason", [to])
