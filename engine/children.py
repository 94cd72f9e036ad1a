"""Children: the age of majority per country, and what changes for a client under it.

A client under the age of majority of the country they are in is handled as a child:
rules see ``client.minor`` (the default pack puts child protection first under the
safety needs and leaves out work and services unsafe for a child), the cash option goes
to the guardian the programme names and carries a safeguarding note. An assessment
without an age gets a list-level caution, so a child is not silently treated as an adult.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from freechoice.catalog import Problem, ValidationFailed

from .assessment import Assessment
from .messages import message
from .options import CashOption, Caution, built

__all__ = ["ChildPolicy", "DEFAULT_CHILD_POLICY", "child_cash", "list_cautions"]


@dataclass(frozen=True, kw_only=True)
class ChildPolicy:
    """Programme settings for children.

    Parameters
    ----------
    age_of_majority : country (ISO 3166-1 alpha-2) -> age at which a person is an adult
        there; countries not listed use ``default_age_of_majority``.
    default_age_of_majority : 18 unless configured (the UN Convention on the Rights of
        the Child).
    cash_recipient : who receives a child's cash transfers, ``guardian`` (default) or
        ``client``.

    >>> ChildPolicy(age_of_majority={"XX": 20}).majority_in("XX"), DEFAULT_CHILD_POLICY.majority_in("TH")
    (20, 18)
    >>> ChildPolicy(cash_recipient="bank")
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.ValidationFailed: invalid child policy: 1 problem(s)
      - cash_recipient: unknown recipient (allowed: guardian, client) (got 'bank')
    """

    age_of_majority: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    default_age_of_majority: int = 18
    cash_recipient: Literal["guardian", "client"] = "guardian"

    def __post_init__(self) -> None:
        problems = []
        for country, age in dict(self.age_of_majority).items():
            if not isinstance(age, int) or not 10 <= age <= 25:
                problems.append(
                    Problem(f"age_of_majority.{country}", "must be a whole number from 10 to 25", None, age)
                )
        if not isinstance(self.default_age_of_majority, int) or not 10 <= self.default_age_of_majority <= 25:
            problems.append(
                Problem(
                    "default_age_of_majority",
                    "must be a whole number from 10 to 25",
                    None,
                    self.default_age_of_majority,
                )
            )
        if self.cash_recipient not in ("guardian", "client"):
            problems.append(Problem("cash_recipient", "unknown recipient", ["guardian", "client"], self.cash_recipient))
        if problems:
            raise ValidationFailed(problems, what="child policy")

    def majority_in(self, country: str) -> int:
        """The age of majority in ``country``."""
        return self.age_of_majority.get(country, self.default_age_of_majority)

    def majority_for(self, a: Assessment) -> int:
        """The age of majority where the client is now."""
        return self.majority_in(a.situation.location.country)

    def is_minor(self, a: Assessment) -> bool:
        """Whether the client is a child (False when no age was recorded)."""
        age = a.situation.age
        return age is not None and age < self.majority_for(a)


DEFAULT_CHILD_POLICY = ChildPolicy()


def child_cash(cash: CashOption, a: Assessment, policy: ChildPolicy) -> CashOption:
    """The cash option for a child: paid to the guardian (by default), with a safeguarding note."""
    if not policy.is_minor(a):
        return cash
    update: dict[str, object] = {"recipient": policy.cash_recipient, "safeguarding": message("cash-safeguarding")}
    if policy.cash_recipient == "guardian":
        update["conditions"] = message("cash-recipient-guardian")
    return cash.model_copy(update=update)


def list_cautions(a: Assessment, policy: ChildPolicy) -> list[Caution]:
    """Cautions about the whole list that come from the assessment itself."""
    out = []
    if a.situation.age is None:
        text = message("age-not-recorded", age_of_majority=policy.majority_for(a))
        out.append(built(Caution, {"rule": "age-not-recorded", "text": text}))
    return out
