"""The client's choice over an option list, as referral drafts. The engine never chooses.

The client may pick any of the offered options (the cash option included), none of
them ("none of these" is a valid choice), or decide later. Each chosen service option
becomes a :class:`ReferralDraft` that carries only the fields the client agreed to
share with that provider. Consent is per referral: the same client may tell a legal
aid office their documents status and a shelter nothing but the need. Without a
consent entry a referral shares :data:`ALWAYS_SHARED` only: the pseudonymous
``client_ref`` (so the provider can say which referral it is) and the need the option
is for (so the provider knows what is asked of it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import NEED_IDS, NEEDS, ChoiceError, Problem

from .assessment import Assessment
from .options import Option, OptionList, SpendingPlanLine
from .text.markers import N_

__all__ = [
    "ALWAYS_SHARED",
    "CONSENT_FIELDS",
    "CONSENT_FIELD_TEXT",
    "Choice",
    "DECISIONS",
    "DEFAULT_SHARED",
    "ReferralDraft",
    "choose",
    "render_shared_view",
    "shared_view",
]

#: What a client can agree to share with a provider, field by field, in plain words.
#: Deliberately left out: ``fears`` (they shape cautions for the client, not a
#: provider's file) and anything identifying beyond the pseudonymous reference.
CONSENT_FIELD_TEXT: Mapping[str, str] = MappingProxyType(
    {
        "client_ref": N_("your case reference (not your name)"),
        "need": N_("the need this referral is for"),
        "needs": N_("all the needs you ranked, with how much each matters to you"),
        "languages": N_("the languages you speak"),
        "location": N_("where you are now (country and area)"),
        "plan": N_("whether you plan to stay, return home or move elsewhere"),
        "intended_location": N_("where you plan to go"),
        "documents": N_("the state of your identity documents"),
        "gender": N_("your gender"),
        "age": N_("your age"),
        "nationality": N_("your nationality"),
        "work_limits": N_("limits on the work you can do"),
        "avoid_sectors": N_("the kinds of work you do not want"),
        "legal_interest": N_("whether you want to claim wages or take part in a criminal case"),
        "no_contact_with": N_("who you do not want to be put in contact with (e.g. police, immigration)"),
    }
)
CONSENT_FIELDS: tuple[str, ...] = tuple(CONSENT_FIELD_TEXT)
#: Shared with every provider a referral goes to: without these a referral cannot work.
ALWAYS_SHARED: tuple[str, ...] = ("client_ref", "need")
#: Shared when the client says nothing more.
DEFAULT_SHARED: tuple[str, ...] = ALWAYS_SHARED

Decision = Literal["chosen", "none_of_these", "decide_later"]
DECISIONS: tuple[str, ...] = get_args(Decision)


class ReferralDraft(BaseModel):
    """A referral the client chose, not yet sent. ``shared_fields`` is what the provider may see."""

    model_config = ConfigDict(extra="forbid")

    option_id: str
    need: str
    priority: int = Field(default=0, ge=0, le=4, description="The client's priority for the need (0: unknown)")
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    kinds: list[str] = Field(default_factory=list)
    status: Literal["draft"] = "draft"
    shared_fields: list[str] = Field(description="Fields the client consented to share with this provider")


class Choice(BaseModel):
    """What the client decided over one option list."""

    model_config = ConfigDict(extra="forbid")

    option_list_id: str
    client_ref: str
    decision: Decision
    option_ids: list[str] = Field(default_factory=list)
    cash_chosen: bool = False
    spending_plan: list[SpendingPlanLine] = Field(
        default_factory=list, description="The client's own plan for the cash, need by need."
    )
    referrals: list[ReferralDraft] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=2000)


def _offered(option_list: OptionList) -> dict[str, tuple[Option, str, int]]:
    return {o.option_id: (o, n.need, n.priority) for n in option_list.needs for o in n.options}


def choose(
    option_list: OptionList,
    option_ids: Sequence[str],
    *,
    decision: str | None = None,
    consent: Mapping[str, Sequence[str]] | None = None,
    note: str | None = None,
    spending_plan: Sequence[Mapping[str, Any]] | None = None,
) -> Choice:
    """Record the client's choice over ``option_list``.

    Parameters
    ----------
    option_list : the list exactly as it was offered.
    option_ids : the options the client picked (any subset, in any order; ``"cash"``
        for the cash option). Repeats count once. Empty means "none of these" unless
        ``decision="decide_later"``.
    decision : ``chosen``, ``none_of_these`` or ``decide_later``; by default
        ``chosen`` when ids are given and ``none_of_these`` when not.
    consent : chosen option id -> fields the client agrees to share with that
        provider (from :data:`CONSENT_FIELDS`); :data:`ALWAYS_SHARED` is added to every
        entry, and chosen options without an entry share only that.
    note : free text for the caseworker's record (no names).
    spending_plan : the client's own plan for the cash, ``[{need, amount, note}]``: only
        with the cash option chosen, each need one the client ranked, amounts not
        negative and together no more than the transfers bring.

    Returns
    -------
    Choice : with one :class:`ReferralDraft` per chosen service option, in the
        client's order. The cash option makes no referral (``cash_chosen``).

    Raises
    ------
    ChoiceError : every problem at once, each naming its field and what is allowed:
        an option id not on the list, a consent entry for an option that was not
        chosen (or for cash, which has no provider), a field outside
        :data:`CONSENT_FIELDS`, a decision that does not fit the ids, a spending plan
        line with an unknown need or a bad amount, or a plan over the cash total.

    Examples
    --------
    >>> from freechoice.engine.options import CashOption, OptionList
    >>> ol = OptionList(id="ol-1", client_ref="c-1", rules_version="r", catalog_version="c",
    ...                 needs=[], cash=CashOption(amount_per_transfer=9000, currency="THB", country="TH"))
    >>> choose(ol, []).decision
    'none_of_these'
    >>> choose(ol, ["cash"]).cash_chosen
    True
    >>> choose(ol, ["housing/svc-x"])
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.ChoiceError: invalid choice over option list ol-1: 1 problem(s)
      - option_ids[0]: 'housing/svc-x' is not on option list ol-1 (allowed: cash)
    """
    ids = list(dict.fromkeys(option_ids))
    offered = _offered(option_list)
    cash_id = option_list.cash.option_id
    allowed = [cash_id, *offered]
    problems: list[Problem] = []
    for i, oid in enumerate(ids):
        if oid != cash_id and oid not in offered:
            problems.append(
                Problem(f"option_ids[{i}]", f"{oid!r} is not on option list {option_list.id}", allowed, oid)
            )
    chosen_services = [oid for oid in ids if oid in offered]
    consent = dict(consent or {})
    for oid, fields in consent.items():
        if oid not in chosen_services:
            why = "the cash option has no provider to share with" if oid == cash_id else "that option was not chosen"
            problems.append(Problem(f"consent.{oid}", f"consent given but {why}", chosen_services, oid))
            continue
        if isinstance(fields, str):
            problems.append(Problem(f"consent.{oid}", "must be a list of field names", CONSENT_FIELDS, fields))
            continue
        for j, f in enumerate(fields):
            if f not in CONSENT_FIELD_TEXT:
                problems.append(Problem(f"consent.{oid}[{j}]", f"{f!r} cannot be shared", CONSENT_FIELDS, f))
    if decision is None:
        decision = "chosen" if ids else "none_of_these"
    if decision not in DECISIONS:
        problems.append(Problem("decision", f"unknown decision {decision!r}", DECISIONS, decision))
    elif decision != "chosen" and ids:
        problems.append(Problem("decision", f"'{decision}' takes no option ids; got {len(ids)}", ["chosen"], decision))
    elif decision == "chosen" and not ids:
        problems.append(
            Problem("decision", "'chosen' needs at least one option id", ["none_of_these", "decide_later"], decision)
        )
    plan = _spending_plan(option_list, spending_plan, cash_id in ids, problems)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ChoiceError(
            f"invalid choice over option list {option_list.id}: {len(problems)} problem(s)\n{lines}", problems
        )

    referrals = []
    for oid in chosen_services:
        opt, need, priority = offered[oid]
        asked = consent.get(oid, ())
        fields = list(dict.fromkeys([*ALWAYS_SHARED, *(f for f in CONSENT_FIELDS if f in asked)]))
        referrals.append(
            ReferralDraft(
                option_id=oid,
                need=need,
                priority=priority,
                service_id=opt.service_id,
                service_name=opt.service_name,
                provider_id=opt.provider_id,
                provider_name=opt.provider_name,
                kinds=list(opt.kinds),
                shared_fields=fields,
            )
        )
    return Choice(
        option_list_id=option_list.id,
        client_ref=option_list.client_ref,
        decision=decision,  # type: ignore[arg-type]
        option_ids=ids,
        cash_chosen=cash_id in ids,
        spending_plan=plan,
        referrals=referrals,
        note=note,
    )


_PLAN_KEYS = ("need", "amount", "note")


def _spending_plan(
    option_list: OptionList, raw: Sequence[Mapping[str, Any]] | None, cash_chosen: bool, problems: list[Problem]
) -> list[SpendingPlanLine]:
    """The client's spending plan, validated: every problem is added to ``problems``."""
    if not raw:
        return []
    cash = option_list.cash
    if not cash_chosen:
        problems.append(
            Problem("spending_plan", "a spending plan goes with the cash option; choose 'cash' too", [cash.option_id])
        )
    if isinstance(raw, (str, bytes, Mapping)):
        problems.append(Problem("spending_plan", "must be a list of {need, amount, note}", list(_PLAN_KEYS)))
        return []
    needs = list(cash.plan_needs) or list(NEED_IDS)
    out: list[SpendingPlanLine] = []
    total = 0.0
    for i, line in enumerate(raw):
        where = f"spending_plan[{i}]"
        if not isinstance(line, Mapping):
            problems.append(Problem(where, "must be an object {need, amount, note}", list(_PLAN_KEYS), line))
            continue
        ok = True
        for key in sorted(set(line) - set(_PLAN_KEYS)):
            problems.append(Problem(f"{where}.{key}", "unknown field", list(_PLAN_KEYS), key))
            ok = False
        need = line.get("need")
        if need not in needs:
            problems.append(Problem(f"{where}.need", f"{need!r} is not one of the client's ranked needs", needs, need))
            ok = False
        amount = line.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount != amount or amount < 0:
            problems.append(Problem(f"{where}.amount", "must be a number of 0 or more", ["0 or more"], amount))
            ok = False
        note = line.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 500):
            problems.append(Problem(f"{where}.note", "must be text of at most 500 characters", ["text"], note))
            ok = False
        if ok:
            total += float(amount)  # type: ignore[arg-type]
            out.append(SpendingPlanLine(need=need, amount=float(amount), note=note))  # type: ignore[arg-type]
    available = cash.transfers * cash.amount_per_transfer
    if total > available:
        problems.append(
            Problem(
                "spending_plan",
                f"plans {total:,.0f} {cash.currency}, more than the {available:,.0f} {cash.currency} "
                f"the {cash.transfers} transfers bring",
                [f"at most {available:,.0f} {cash.currency} in all"],
                total,
            )
        )
    return out


def shared_view(referral: ReferralDraft, assessment: Assessment) -> dict[str, Any]:
    """Exactly what the receiving provider may see of the client: the consented fields,
    in :data:`CONSENT_FIELDS` order. Fields the assessment leaves empty show as None."""
    s = assessment.situation
    getters: dict[str, Any] = {
        "client_ref": lambda: assessment.client_ref,
        "need": lambda: referral.need,
        "needs": lambda: dict(assessment.needs),
        "languages": lambda: list(s.languages),
        "location": lambda: s.location.model_dump(),
        "plan": lambda: s.plan,
        "intended_location": lambda: s.intended_location.model_dump() if s.intended_location else None,
        "documents": lambda: s.documents,
        "gender": lambda: s.gender,
        "age": lambda: s.age,
        "nationality": lambda: s.nationality,
        "work_limits": lambda: list(s.work_limits),
        "avoid_sectors": lambda: list(s.avoid_sectors),
        "legal_interest": lambda: list(s.legal_interest),
        "no_contact_with": lambda: list(s.no_contact_with),
    }
    return {f: getters[f]() for f in CONSENT_FIELDS if f in referral.shared_fields}


def _text(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "not given"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        if "country" in value:
            return ", ".join(str(value[k]) for k in ("area", "country") if value.get(k))
        return ", ".join(f"{NEEDS[k].label if k in NEEDS else k} ({v})" for k, v in value.items())
    return str(value).replace("_", " ")


def render_shared_view(view: Mapping[str, Any], *, provider_name: str = "") -> str:
    """Render a :func:`shared_view` as the plain text a receiving partner reads.

    >>> print(render_shared_view({"client_ref": "c-7", "need": "housing", "languages": ["my", "th"]}))
    Referral for: A place to stay
    Client reference: c-7
    languages: my, th
    Nothing else was shared: the client did not consent to it.
    """
    need = str(view.get("need") or "")
    head = f"Referral for: {NEEDS[need].label if need in NEEDS else need or 'a need'}"
    if provider_name:
        head += f" (to {provider_name})"
    lines = [head, f"Client reference: {view.get('client_ref', 'not shared')}"]
    for field, value in view.items():
        if field not in ("need", "client_ref"):
            lines.append(f"{field.replace('_', ' ')}: {_text(value)}")
    lines.append("Nothing else was shared: the client did not consent to it.")
    return "\n".join(lines)
