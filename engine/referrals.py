"""The referral lifecycle: who may move a referral from which status to which.

``draft -> sent -> accepted | declined -> in_progress -> completed | closed``.
The caseworker's side sends and closes (a draft, a sent, an accepted or a started
referral: the client changed their mind, the need went away); the receiving partner
accepts, declines, starts and completes. Declining and closing need a reason, which
the drop-out figures report. ``declined``, ``completed`` and ``closed`` are final.

A :class:`Referral` keeps its whole status history (who, which side, when, from,
to, why); :func:`move` returns the referral one step on and never edits history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Literal, cast, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from freechoice.catalog import Problem, TransitionError, ValidationFailed

from .choices import ReferralDraft

__all__ = [
    "FINAL",
    "NEEDS_REASON",
    "Referral",
    "SIDES",
    "STATUSES",
    "Status",
    "StatusChange",
    "TRANSITIONS",
    "allowed_transitions",
    "check_history",
    "check_transition",
    "move",
    "open_referral",
    "side_of_role",
]

Status = Literal["draft", "sent", "accepted", "declined", "in_progress", "completed", "closed"]
Side = Literal["caseworker", "partner"]

STATUSES: tuple[str, ...] = get_args(Status)
SIDES: tuple[str, ...] = get_args(Side)

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


def side_of_role(role: str) -> str | None:
    """The lifecycle side an API role acts on: caseworker or partner (admins move nothing).

    >>> side_of_role("partner"), side_of_role("admin")
    ('partner', None)
    """
    return role if role in SIDES else None


def allowed_transitions(status: str, side: str | None = None) -> list[str]:
    """Statuses reachable from ``status`` (by ``side``, when given), in lifecycle order.

    >>> allowed_transitions("sent", "partner"), allowed_transitions("completed")
    (['accepted', 'declined'], [])
    """
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and (side is None or who == side)]


def check_transition(status: str, to: str, side: str, reason: str | None = None) -> None:
    """Raise unless ``side`` may move a referral from ``status`` to ``to``.

    Raises
    ------
    ValidationFailed : ``to`` or ``side`` is not a known value (field ``to`` / ``side``
        with the allowed values), or the move needs a reason and none was given
        (field ``reason``).
    TransitionError : the lifecycle or the side does not allow the move; it names the
        moves ``side`` may make from ``status`` and those the other side may make.

    >>> check_transition("sent", "accepted", "partner")
    >>> check_transition("draft", "completed", "caseworker")
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.TransitionError: cannot move a referral from 'draft' to 'completed' as caseworker; allowed: sent, closed
    >>> check_transition("draft", "accepted", "partner")
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.TransitionError: cannot move a referral from 'draft' to 'accepted' as partner; allowed: none for you; the caseworker may move it to sent, closed
    """
    problems = []
    if to not in STATUSES:
        problems.append(Problem("to", f"unknown status {to!r}", STATUSES, to))
    if side not in SIDES:
        problems.append(Problem("side", f"unknown side {side!r}", SIDES, side))
    if status not in STATUSES:
        problems.append(Problem("status", f"unknown current status {status!r}", STATUSES, status))
    if problems:
        raise ValidationFailed(problems, what="status change")
    if TRANSITIONS.get((status, to)) != side:
        others = {s: allowed_transitions(status, s) for s in SIDES if s != side}
        raise TransitionError(
            f"cannot move a referral from {status!r} to {to!r} as {side}", allowed_transitions(status, side), others
        )
    if to in NEEDS_REASON and not (reason and reason.strip()):
        raise ValidationFailed([Problem("reason", f"a reason is required when moving to {to!r}")], what="status change")


class StatusChange(BaseModel):
    """One step of a referral's history. ``from_status`` is None for its creation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    from_status: Status | None
    to_status: Status
    side: Side
    actor: str = Field(min_length=1, description="Who made the change (an API key id, a user id)")
    at: AwareDatetime
    reason: str | None = Field(default=None, max_length=2000)


class Referral(BaseModel):
    """A referral with its status and whole history, oldest change first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    option_id: str
    need: str
    priority: int = Field(default=0, ge=0, le=4)
    service_id: str
    provider_id: str
    kinds: list[str] = Field(default_factory=list)
    shared_fields: list[str]
    status: Status
    history: tuple[StatusChange, ...]

    def allowed(self, side: str | None = None) -> list[str]:
        """The moves ``side`` (or anyone) may make now."""
        return allowed_transitions(self.status, side)


def _now(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else dt.datetime.now(dt.UTC)


def open_referral(draft: ReferralDraft, *, referral_id: str, actor: str, at: dt.datetime | None = None) -> Referral:
    """A referral in status ``draft`` from the client's chosen ``draft``; its history
    starts with its creation by the caseworker side."""
    change = StatusChange(from_status=None, to_status="draft", side="caseworker", actor=actor, at=_now(at))
    return Referral(
        id=referral_id,
        option_id=draft.option_id,
        need=draft.need,
        priority=draft.priority,
        service_id=draft.service_id,
        provider_id=draft.provider_id,
        kinds=list(draft.kinds),
        shared_fields=list(draft.shared_fields),
        status="draft",
        history=(change,),
    )


def move(
    referral: Referral, to: str, *, side: str, actor: str, reason: str | None = None, at: dt.datetime | None = None
) -> Referral:
    """``referral`` moved to ``to`` by ``actor`` on ``side``, with the change appended
    to its history. The given referral is left as it was.

    Raises
    ------
    TransitionError, ValidationFailed : as :func:`check_transition`; also
        ValidationFailed (field ``at``) when ``at`` is earlier than the last change.
    """
    check_transition(referral.status, to, side, reason)
    when = _now(at)
    if referral.history and when < referral.history[-1].at:
        raise ValidationFailed(
            [Problem("at", f"earlier than the last change ({referral.history[-1].at.isoformat()})")],
            what="status change",
        )
    change = StatusChange(
        from_status=referral.status,
        to_status=cast(Status, to),  # checked above
        side=cast(Side, side),
        actor=actor,
        at=when,  # type: ignore[arg-type]
        reason=reason.strip() if reason else None,
    )
    return referral.model_copy(update={"status": to, "history": (*referral.history, change)})


def check_history(changes: Sequence[StatusChange]) -> str:
    """Replay ``changes`` from creation and return the status they lead to.

    Raises
    ------
    TransitionError, ValidationFailed : at the first change the lifecycle does not
        allow (a gap, a wrong side, a missing reason), or when the history does not
        start with the creation of a draft.
    """
    if not changes or changes[0].from_status is not None or changes[0].to_status != "draft":
        raise ValidationFailed(
            [Problem("history[0]", "a referral's history starts with its creation as a draft")], what="referral history"
        )
    status = "draft"
    for i, c in enumerate(changes[1:], start=1):
        if c.from_status != status:
            raise ValidationFailed(
                [Problem(f"history[{i}].from_status", f"does not follow on from {status!r}", [status])],
                what="referral history",
            )
        check_transition(status, c.to_status, c.side, c.reason)
        status = c.to_status
    return status
