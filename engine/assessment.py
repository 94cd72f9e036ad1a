"""The public input contract: a client's ranked needs and situation.

The same JSON shape is accepted by the library, the command line and the HTTP API.
``client_ref`` is a pseudonymous reference chosen by the case system: never a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from freechoice.catalog import NEED_IDS, NEEDS, Problem, ValidationFailed, problems_from_pydantic
from freechoice.catalog.codes import CountryCode, LanguageCode
from freechoice.catalog.models import Party, Sector  # one spelling of each, shared with the catalog

__all__ = ["Assessment", "ClientPlace", "Situation", "parse_assessment"]

NeedId = Literal[NEED_IDS]  # type: ignore[valid-type]


def _whole_number(value: Any) -> Any:
    """Priorities are whole numbers: ``true`` or ``4.0`` is refused, not read as 1 or 4."""
    if type(value) is not int:
        raise PydanticCustomError("literal_error", "Input should be 1, 2, 3 or 4", {"expected": "1, 2, 3 or 4"})
    return value


Priority = Annotated[Literal[1, 2, 3, 4], BeforeValidator(_whole_number)]
WorkLimit = Literal["light_work_only", "no_night_work", "no_sea_work", "part_time_only"]
WorkChoice = Literal["night_work", "sea_work"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientPlace(_Model):
    """A place: ISO 3166-1 alpha-2 country and, optionally, the area (province/state)."""

    country: CountryCode = Field(examples=["TH"])
    area: str | None = Field(default=None, max_length=200, examples=["Songkhla"])


class Situation(_Model):
    """Where the client is and wants to go, and the limits they set."""

    location: ClientPlace
    plan: Literal["stay", "return_home", "move_elsewhere", "undecided"] = "undecided"
    intended_location: ClientPlace | None = None
    possible_locations: list[ClientPlace] = Field(
        default_factory=list,
        max_length=10,
        description="For an undecided client: places they might go (none is fine). Options are grouped by place.",
    )
    nationality: CountryCode | None = None
    languages: list[LanguageCode] = Field(default_factory=list, max_length=50, description="ISO 639-1 (or 639-3) codes")
    gender: Literal["female", "male", "other"] | None = None
    age: int | None = Field(default=None, ge=0, le=120, strict=True)
    documents: Literal["valid", "expired", "lost", "confiscated", "fraudulent", "none"] = "none"
    fears: list[Party] = Field(default_factory=list, max_length=10, description="Gives cautions, never exclusions.")
    avoid_sectors: list[Sector] = Field(default_factory=list, max_length=20)
    work_limits: list[WorkLimit] = Field(default_factory=list, max_length=10)
    work_choices: list[WorkChoice] = Field(
        default_factory=list,
        max_length=4,
        description="Work the client chose knowingly: no caution for night work or work at sea.",
    )
    legal_interest: list[Literal["wage_claim", "criminal_case"]] = Field(default_factory=list, max_length=4)
    no_contact_with: list[Party] = Field(
        default_factory=list,
        max_length=10,
        description="A hard limit: services that bring contact with these are excluded. 'employer' means the "
        "employer who exploited the client, as does 'broker'; 'suspect' a suspect in a court case.",
    )

    @model_validator(mode="after")
    def _intended(self) -> Situation:
        if self.plan in ("return_home", "move_elsewhere") and self.intended_location is None:
            raise ValueError(f"intended_location is required when plan is '{self.plan}'")
        return self


class Assessment(_Model):
    """A client's needs ranked 1-4 (4 = highest priority) and their situation."""

    client_ref: str = Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Pseudonymous reference; never a name.",
        examples=["c-0042"],
    )
    needs: dict[NeedId, Priority] = Field(description="need id -> priority 1..4; unassessed needs are absent")
    situation: Situation

    def ranked(self, min_priority: int = 1) -> list[tuple[str, int]]:
        """Needs at or above ``min_priority``: highest priority first, taxonomy order within."""
        items = [(n, p) for n, p in self.needs.items() if p >= min_priority]
        return sorted(items, key=lambda np: (-np[1], NEEDS[np[0]].order))

    def places(self) -> list[tuple[str, str | None]]:
        """Where services are sought: the current place, plus the intended one when moving."""
        s = self.situation
        out = [(s.location.country, s.location.area)]
        if s.intended_location is not None and s.plan in ("return_home", "move_elsewhere", "undecided"):
            out.append((s.intended_location.country, s.intended_location.area))
        if s.plan == "undecided":
            out.extend((p.country, p.area) for p in s.possible_locations)
        return list(dict.fromkeys(out))


_ALLOWED_HINTS: dict[str, list[Any]] = {
    "needs": list(NEED_IDS),
}


def parse_assessment(raw: Mapping[str, Any] | str | bytes) -> Assessment:
    """Validate ``raw`` (a mapping or JSON text) into an :class:`Assessment`.

    Raises :class:`~freechoice.catalog.ValidationFailed` carrying every problem with its
    field path and the allowed values.

    >>> parse_assessment({"client_ref": "c-1", "needs": {"food": 5},
    ...                   "situation": {"location": {"country": "TH"}}})
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.ValidationFailed: invalid assessment: 1 problem(s)
      - needs.food: Input should be 1, 2, 3 or 4 (allowed: 1, 2, 3, 4)
    """
    try:
        if isinstance(raw, (str, bytes)):
            return Assessment.model_validate_json(raw)
        return Assessment.model_validate(raw)
    except ValidationError as err:
        problems = []
        problems.extend(_cross_field_problems(raw, err))
        for p in problems_from_pydantic(err):
            if p.field.startswith("needs.") and p.field.endswith("[key]"):
                p = Problem(p.field.removesuffix(".[key]"), "unknown need id", list(NEED_IDS), p.value)
            problems.append(p)
        raise ValidationFailed(problems, what="assessment") from None


def _cross_field_problems(raw: Any, err: ValidationError) -> list[Problem]:
    """Cross-field checks pydantic skips once a field has failed, so every problem is reported."""
    if isinstance(raw, (str, bytes)):
        import json

        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    reported = {".".join(str(x) for x in e["loc"]) for e in err.errors()}
    sit = raw.get("situation") if isinstance(raw, Mapping) else None
    if not isinstance(sit, Mapping) or "situation" in reported:
        return []
    plan = sit.get("plan")
    if plan in ("return_home", "move_elsewhere") and sit.get("intended_location") is None:
        return [Problem("situation.intended_location", f"required when plan is '{plan}'")]
    return []
