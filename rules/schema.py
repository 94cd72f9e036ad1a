"""The rule-pack format: rules are data (YAML) with a schema.

A rule has a stable ``id``, a plain ``description`` a caseworker can read, conditions
(``when``) over the client (the assessment), the service (catalog facts) and ``match``
(facts about the pair that freechoice computes, such as language fit), and exactly one
effect (``then``): ``exclude`` with a reason, ``caution`` with client-readable text,
``boost``/``demote`` with a weight and a reason, ``require`` a prerequisite kind,
``suggest`` a kind for a need, ``rank: first|last`` with a reason (ahead of, or
behind, every other option of the need whatever the score), or ``on_request`` (left
out of the default list, listed in ``excluded`` as shown on request, and brought back
last in its need by ``show_all``). ``needs: [...]`` scopes a caution, boost, demotion
or rank to the options of those needs (and names the needs a suggested kind goes under).

A condition on a field is a literal (equality) or one operator mapping::

    documents: lost                      # equals
    documents: {in: [lost, confiscated]} # one of
    age: {lt: 18}                        # also lte, gt, gte, ne
    fears: {any_of: [police]}            # list field holds any / all / none of
    needs.compensation: {gte: 3}         # a need's priority (0 when not ranked)
    employment.direct_hire: true
    any: [{...}, {...}]                  # at least one of these groups holds

Texts may name facts in braces: ``{service.name}``, ``{match.contact_conflict}``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from freechoice.catalog import NEED_IDS, SERVICE_KIND_IDS

__all__ = [
    "CLIENT_FIELDS",
    "Effect",
    "MATCH_FIELDS",
    "OPERATORS",
    "Rule",
    "RulePack",
    "SERVICE_FIELDS",
    "When",
]

# field -> "scalar" | "list" | "number" | "bool"
CLIENT_FIELDS: dict[str, str] = {
    "documents": "scalar",
    "plan": "scalar",
    "gender": "scalar",
    "age": "number",
    "nationality": "scalar",
    "languages": "list",
    "fears": "list",
    "avoid_sectors": "list",
    "work_limits": "list",
    "work_choices": "list",
    "legal_interest": "list",
    "no_contact_with": "list",
    "location.country": "scalar",
    "intended_location.country": "scalar",
    "documents_valid": "bool",
    "minor": "bool",
    **{f"needs.{n}": "number" for n in NEED_IDS},
}

SERVICE_FIELDS: dict[str, str] = {
    "kinds": "list",
    "requires": "list",
    "reports_to_authorities": "scalar",
    "reports_to": "list",
    "contact_with": "list",
    "adverse_parties": "list",
    "represents_without_attending": "bool",
    "restricts_movement": "bool",
    "acts_without_client": "bool",
    "remote": "bool",
    "interpretation": "bool",
    "free": "bool",
    "capacity.status": "scalar",
    "is_employer": "bool",
    "employment.direct_hire": "bool",
    "employment.charges_recruitment_fees": "bool",
    "employment.sectors": "list",
    "employment.light_work_available": "bool",
    "employment.at_sea": "bool",
    "employment.night_work": "bool",
    "employment.full_time": "bool",
    "employment.wage_ratio": "number",
    "eligibility.legal_status_required": "bool",
    "eligibility.documents_required": "list",
}

MATCH_FIELDS: dict[str, str] = {
    "language_fit": "bool",
    "shared_language": "bool",
    "interpretation": "bool",
    "in_current_place": "bool",
    "in_intended_place": "bool",
    "contact_conflict": "bool",
    "feared_contact": "bool",
    "consent_reporting_feared": "bool",
    "sector_avoided": "bool",
    "work_limit_conflict": "bool",
    "eligible": "bool",
    "documents_missing": "bool",
    "full": "bool",
    "step_blocked": "bool",
    "opponent_refused": "bool",
}

OPERATORS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "any_of", "all_of", "none_of", "exists")
_LIST_OPS = {"any_of", "all_of", "none_of"}
_SCALAR_OPS = {"eq", "ne", "in", "not_in", "exists"}
_NUMBER_OPS = {"eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"}
_BOOL_OPS = {"eq", "ne", "exists"}
_OPS_FOR = {"list": _LIST_OPS, "scalar": _SCALAR_OPS, "number": _NUMBER_OPS, "bool": _BOOL_OPS}

_PLACEHOLDERS = re.compile(r"\{[^{}]*\}")
Scalar = str | int | float | bool
Side = dict[str, Any]


def _check_side(side: Side, fields: dict[str, str], where: str) -> None:
    for key, cond in side.items():
        if key == "any":
            if not isinstance(cond, list) or not cond or not all(isinstance(g, dict) and g for g in cond):
                raise ValueError(f"{where}.any must be a non-empty list of non-empty condition groups")
            for i, group in enumerate(cond):
                if "any" in group:
                    raise ValueError(f"{where}.any[{i}]: 'any' cannot nest")
                _check_side(group, fields, f"{where}.any[{i}]")
            continue
        kind = fields.get(key)
        if kind is None:
            raise ValueError(f"{where}: unknown field '{key}'; allowed: {', '.join(sorted(fields))}")
        if isinstance(cond, dict):
            if len(cond) != 1:
                raise ValueError(f"{where}.{key}: one operator per condition, got {sorted(cond)}")
            ((op, val),) = cond.items()
            if op not in _OPS_FOR[kind]:
                raise ValueError(
                    f"{where}.{key}: operator '{op}' does not apply to a {kind} field; "
                    f"allowed: {', '.join(sorted(_OPS_FOR[kind]))}"
                )
            if op in ("in", "not_in", "any_of", "all_of", "none_of"):
                if not isinstance(val, list) or not val:
                    raise ValueError(f"{where}.{key}.{op} needs a non-empty list")
            elif op == "exists":
                if not isinstance(val, bool):
                    raise ValueError(f"{where}.{key}.exists needs true or false")
            elif isinstance(val, (list, dict)) or val is None:
                raise ValueError(f"{where}.{key}.{op} needs a single value")
        elif kind == "list":
            raise ValueError(f"{where}.{key} is a list: use any_of, all_of or none_of")
        elif isinstance(cond, (list, type(None))):
            raise ValueError(f"{where}.{key}: a literal must be a single value (use 'in' for several)")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Model):
    client: Side = Field(default_factory=dict)
    service: Side = Field(default_factory=dict)
    match: dict[str, bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fields(self) -> When:
        _check_side(self.client, CLIENT_FIELDS, "client")
        _check_side(self.service, SERVICE_FIELDS, "service")
        unknown = sorted(set(self.match) - set(MATCH_FIELDS))
        if unknown:
            raise ValueError(f"match: unknown field(s) {unknown}; allowed: {', '.join(sorted(MATCH_FIELDS))}")
        return self


_EFFECTS = ("exclude", "caution", "boost", "demote", "require", "suggest", "rank", "on_request")
_SCOPED = ("caution", "boost", "demote", "suggest", "rank")


class Effect(_Model):
    """Exactly one of the effect keys; ``reason``/``text`` is what a person reads."""

    exclude: str | None = None
    caution: str | None = None
    boost: float | None = Field(default=None, gt=0, le=5)
    demote: float | None = Field(default=None, gt=0, le=5)
    require: str | None = None
    suggest: str | None = None
    rank: Literal["first", "last"] | None = Field(
        default=None, description="Put the service first (or last) among the options of a need, whatever its score."
    )
    on_request: str | None = Field(
        default=None, description="Leave the service out unless the list is made with show_all; the text says why."
    )
    need: str | None = Field(default=None, description="For suggest: the need the kind is offered under.")
    needs: list[str] | None = Field(
        default=None,
        description="The needs the effect applies within (boost, demote, rank, caution), or the needs a "
        "suggested kind is offered under; absent: every need.",
    )
    always: bool = Field(
        default=False, description="For suggest: list the need even when the client ranked it low or not at all."
    )
    reason: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Effect:
        given = [k for k in _EFFECTS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"exactly one effect is needed, got {given or 'none'}; allowed: {', '.join(_EFFECTS)}")
        if self.needs is not None:
            if not self.needs:
                raise ValueError("needs must name at least one need")
            unknown = [n for n in self.needs if n not in NEED_IDS]
            if unknown:
                raise ValueError(f"needs: unknown need(s) {unknown}; allowed: {', '.join(NEED_IDS)}")
            if given[0] not in _SCOPED:
                raise ValueError(f"'needs' goes only with {', '.join(_SCOPED)}")
            if self.suggest is not None and self.need is not None:
                raise ValueError("suggest takes 'need' or 'needs', not both")
        if self.always and self.suggest is None:
            raise ValueError("'always' goes only with suggest")
        for k in ("require", "suggest"):
            v = getattr(self, k)
            if v is not None and v not in SERVICE_KIND_IDS:
                raise ValueError(f"{k}: unknown service kind '{v}'; allowed: {', '.join(SERVICE_KIND_IDS)}")
        if self.suggest is not None:
            if self.needs is None and self.need not in NEED_IDS:
                raise ValueError(f"suggest needs 'need' set to a need id; allowed: {', '.join(NEED_IDS)}")
        elif self.need is not None:
            raise ValueError("'need' goes only with suggest")
        if (self.boost or self.demote or self.require or self.suggest or self.rank) and not self.reason:
            raise ValueError("boost, demote, require, suggest and rank need a 'reason' a person can read")
        return self

    @property
    def kind(self) -> str:
        for k in _EFFECTS:
            if getattr(self, k) is not None:
                return k
        raise AssertionError("validated effect has a kind")

    @property
    def suggested_needs(self) -> tuple[str, ...]:
        """For suggest: the needs the kind is offered under."""
        if self.needs is not None:
            return tuple(self.needs)
        return (self.need,) if self.need is not None else ()


RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,62}$")]


class Rule(_Model):
    id: RuleId
    description: str = Field(min_length=1)
    when: When = Field(default_factory=When)
    then: Effect

    @model_validator(mode="after")
    def _scope(self) -> Rule:
        if self.then.kind == "suggest" and (self.when.service or self.when.match):
            raise ValueError("a suggest rule is about the client only: no service or match conditions")
        if self.then.kind != "suggest" and not (self.when.service or self.when.match):
            raise ValueError(
                f"a {self.then.kind} rule needs a service or match condition (otherwise it would hit every service)"
            )
        return self


LanguageTag = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]


class RulePack(_Model):
    pack: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$")
    description: str = ""
    language: LanguageTag = Field(
        default="en", description="The language the pack's texts are written in (ISO 639 code)."
    )
    translations: dict[LanguageTag, dict[str, str]] = Field(
        default_factory=dict,
        description="Per language: the pack's text (as written in the pack) -> its translation. The bundled "
        "packs are translated in the gettext catalogs instead.",
    )
    rules: list[Rule]

    def texts(self) -> list[str]:
        """Every text of the pack a person reads (exclude, caution, on_request, reason), once each."""
        out: dict[str, None] = {}
        for r in self.rules:
            e = r.then
            for t in (e.exclude, e.caution, e.on_request, e.reason):
                if t:
                    out.setdefault(t)
        return list(out)

    @model_validator(mode="after")
    def _translations(self) -> RulePack:
        own = set(self.texts())
        for lang, table in self.translations.items():
            for source, target in table.items():
                if source not in own:
                    raise ValueError(f"translations.{lang}: {source!r} is not a text of this pack")
                if sorted(_PLACEHOLDERS.findall(source)) != sorted(_PLACEHOLDERS.findall(target)):
                    raise ValueError(
                        f"translations.{lang}: {target!r} must keep the placeholders of {source!r} "
                        f"({', '.join(_PLACEHOLDERS.findall(source)) or 'none'})"
                    )
        return self

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        dupes = sorted({r.id for r in rules if r.id in seen or seen.add(r.id)})  # type: ignore[func-returns-value]
        if dupes:
            raise ValueError(f"duplicate rule id(s): {', '.join(dupes)}")
        return rules
