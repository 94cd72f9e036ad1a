"""The client's choice over an option list, as referral drafts. The engine never chooses.

The client may pick any of the offered options (the cash option included), none of
them ("none of these" is a valid choice), or decide later. Each chosen service option
becomes a :class:`ReferralDraft` that carries only the fields the client agreed to
share with that provider (by default, only the pseudonymous ``client_ref`` and the
need the option is for).
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import ChoiceError

from .assessment import Assessment
from .options import Option, OptionList

__all__ = [
    "CONSENT_FIELDS",
    "Choice",
    "DEFAULT_SHARED",
    "ReferralDraft",
    "choose",
    "shared_view",
]

#: What a client can agree to share with a provider, field by field.
CONSENT_FIELDS: tuple[str, ...] = (
    "client_ref",
    "need",
    "needs",
    "languages",
    "location",
    "plan",
    "intended_location",
    "documents",
    "gender",
    "age",
    "nationality",
    "work_limits",
    "legal_interest",
)
#: Shared when the client says nothing more: the least that makes a referral work.
DEFAULT_SHARED: tuple[str, ...] = ("client_ref", "need")

Decision = Literal["chosen", "none_of_these", "decide_later"]


class ReferralDraft(BaseModel):
    """A referral the client chose, not yet sent. ``shared_fields`` is what the provider may see."""

    model_config = ConfigDict(extra="forbid")

    option_id: str
    need: str
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    status: Literal["draft"] = "draft"
    shared_fields: list[str]


class Choice(BaseModel):
    """What the client decided over one option list."""

    model_config = ConfigDict(extra="forbid")

    option_list_id: str
    client_ref: str
    decision: Decision
    option_ids: list[str] = Field(default_factory=list)
    cash_chosen: bool = False
    referrals: list[ReferralDraft] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=2000)


def choose(
    option_list: OptionList,
    option_ids: Sequence[str],
    *,
    decision: Decision | None = None,
    consent: Mapping[str, Sequence[str]] | None = None,
    note: str | None = None,
) -> Choice:
    """Record the client's choice over ``option_list``.

    Parameters
    ----------
    option_ids : the options the client picked (any subset; ``"cash"`` for cash). Empty
        means "none of these" unless ``decision="decide_later"``.
    consent : option id -> fields the client agrees to share with that provider
        (from :data:`CONSENT_FIELDS`); options not named share :data:`DEFAULT_SHARED`.

    Raises
    ------
    ChoiceError : an option id that is not on the list, a consent entry for an option
        that was not chosen, or a field outside :data:`CONSENT_FIELDS`, listing what is
        allowed.

    Examples
    --------
    >>> from freechoice.engine.options import CashOption, OptionList
    >>> ol = OptionList(id="ol-1", client_ref="c-1", rules_version="r", catalog_version="c",
    ...                 needs=[], cash=CashOption(amount_per_transfer=9000, currency="THB", country="TH"))
    >>> choose(ol, []).decision
    'none_of_these'
    >>> choose(ol, ["cash"]).cash_chosen
    True
    """
    ids = list(dict.fromkeys(option_ids))
    allowed = option_list.option_ids()
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise ChoiceError(f"not on option list {option_list.id}: {unknown}; allowed: {allowed}")
    consent = dict(consent or {})
    stray = [k for k in consent if k not in ids]
    if stray:
        raise ChoiceError(f"consent given for options that were not chosen: {stray}; chosen: {ids}")
    referrals = []
    for oid in ids:
        opt = option_list.option(oid)
        if not isinstance(opt, Option):
            continue
        fields = list(consent.get(oid, DEFAULT_SHARED))
        bad = [f for f in fields if f not in CONSENT_FIELDS]
        if bad:
            raise ChoiceError(f"cannot share {bad} with {opt.provider_name}; allowed: {list(CONSENT_FIELDS)}")
        if "client_ref" not in fields:
            fields.insert(0, "client_ref")
        need = oid.split("/", 1)[0]
        referrals.append(
            ReferralDraft(
                option_id=oid, need=need, service_id=opt.service_id, service_name=opt.service_name,
                provider_id=opt.provider_id, provider_name=opt.provider_name, shared_fields=fields,
            )
        )
    if decision is None:
        decision = "chosen" if ids else "none_of_these"
    if decision != "chosen" and ids:
        raise ChoiceError(f"decision '{decision}' takes no option ids; got {ids}")
    if decision == "chosen" and not ids:
        raise ChoiceError("decision 'chosen' needs at least one option id; use 'none_of_these' or 'decide_later'")
    return Choice(
        option_list_id=option_list.id,
        client_ref=option_list.client_ref,
        decision=decision,
        option_ids=ids,
        cash_chosen="cash" in ids,
        referrals=referrals,
        note=note,
    )


def shared_view(referral: ReferralDraft, assessment: Assessment) -> dict[str, Any]:
    """Exactly what the receiving provider may see of the client: the consented fields."""
    s = assessment.situation
    source: dict[str, Any] = {
        "client_ref": assessment.client_ref,
        "need": referral.need,
        "needs": dict(assessment.needs),
        "languages": list(s.languages),
        "location": s.location.model_dump(),
        "plan": s.plan,
        "intended_location": s.intended_location.model_dump() if s.intended_location else None,
        "documents": s.documents,
        "gender": s.gender,
        "age": s.age,
        "nationality": s.nationality,
        "work_limits": list(s.work_limits),
        "legal_interest": list(s.legal_interest),
    }
    return {f: source[f] for f in referral.shared_fields}
