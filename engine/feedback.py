"""The client's own view after a referral: was the need met, how satisfied, would they
recommend it, in their words.

Feedback may carry nothing that identifies the client. It can point at a referral
(``referral_id``, when given through the caseworker), at a service only, or carry an
anonymous ``token``: a single-use code handed to the client with a referral, so the
feedback counts for that service and provider without saying whose it is. The token
is stored only as a hash (:func:`hash_feedback_token`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from freechoice.catalog import Problem, ValidationFailed, problems_from_pydantic

from .text.markers import N_

__all__ = [
    "FEEDBACK_QUESTIONS",
    "Feedback",
    "NEED_MET",
    "TOKEN_PREFIX",
    "hash_feedback_token",
    "new_feedback_token",
    "parse_feedback",
]

NeedMet = Literal["yes", "partly", "no"]
NEED_MET: tuple[str, ...] = get_args(NeedMet)
TOKEN_PREFIX = "fbt_"

#: the questions a client is asked, by field, and the words of the answers
FEEDBACK_QUESTIONS: Mapping[str, str] = {
    "need_met": N_("Did this help with what you needed?"),
    "need_met.yes": N_("Yes"),
    "need_met.partly": N_("Partly"),
    "need_met.no": N_("No"),
    "satisfaction": N_("How happy are you with it, from 1 (very unhappy) to 5 (very happy)?"),
    "would_recommend": N_("Would you tell someone in your place to go there?"),
    "text": N_("Anything else you want to say, in your own words (no names, please)."),
}
_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"


class Feedback(BaseModel):
    """One client's feedback. Give at most one of ``referral_id`` and ``token``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    referral_id: str | None = Field(
        default=None, pattern=_ID, description="The referral, when given through the caseworker"
    )
    token: str | None = Field(
        default=None,
        pattern=r"^fbt_[A-Za-z0-9_-]{16,64}$",
        description="The anonymous single-use code the client was given with a referral",
    )
    service_id: str | None = Field(
        default=None, pattern=_ID, description="The service, when there is no referral or token"
    )
    need_met: NeedMet = Field(description="Was the need met: yes, partly or no")
    satisfaction: Annotated[int, Field(ge=1, le=5, strict=True, description="1 (very unhappy) to 5 (very happy)")]
    would_recommend: bool | None = Field(
        default=None, description="Would the client recommend it to someone in their place"
    )
    text: str | None = Field(default=None, max_length=4000, description="In the client's words; no names")
    given_at: AwareDatetime | None = None

    @field_validator("text")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @model_validator(mode="after")
    def _one_link(self) -> Feedback:
        if self.referral_id and self.token:
            raise ValueError("give referral_id or token, not both (a token keeps the feedback anonymous)")
        return self

    @property
    def anonymous(self) -> bool:
        """True when the feedback cannot be traced to a referral (and so to a client)."""
        return self.referral_id is None


def parse_feedback(raw: Mapping[str, Any] | str | bytes) -> Feedback:
    """Validate ``raw`` (a mapping or JSON text) into :class:`Feedback`.

    Raises :class:`~freechoice.catalog.ValidationFailed` with every problem, each
    naming its field and the allowed values.

    >>> parse_feedback({"need_met": "mostly", "satisfaction": 7})
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.ValidationFailed: invalid feedback: 2 problem(s)
      - need_met: Input should be 'yes', 'partly' or 'no' (allowed: yes, partly, no)
      - satisfaction: Input should be less than or equal to 5 (allowed: 1, 2, 3, 4, 5)
    >>> parse_feedback({"need_met": "partly", "satisfaction": 4}).anonymous
    True
    """
    try:
        if isinstance(raw, (str, bytes)):
            return Feedback.model_validate_json(raw)
        return Feedback.model_validate(raw)
    except ValidationError as err:
        problems = []
        for p in problems_from_pydantic(err):
            if p.field == "satisfaction":
                p = Problem(p.field, p.message, [1, 2, 3, 4, 5], p.value)
            elif p.field == "(root)":
                p = Problem("token", p.message.removeprefix("Value error, "), None, None)
            problems.append(p)
        raise ValidationFailed(problems, what="feedback") from None


def new_feedback_token() -> str:
    """A fresh anonymous feedback code for the client (show it once, store its hash)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(18)


def hash_feedback_token(token: str) -> str:
    """What is stored of a token: its SHA-256 (the code itself is not kept)."""
    return hashlib.sha256(token.encode()).hexdigest()
