"""A programme's cash-plus settings, passed in (the service reads them from its own
configuration, never from the environment here).

- ``transfers``: how many monthly transfers a client who chooses cash receives (3).
- ``interval_months``: months between transfers (1).
- ``amounts``: country -> (amount, currency) paid there (default: the monthly minimum
  wages of :data:`freechoice.engine.cash.DEFAULT_MINIMUM_WAGES`, as exact decimals).
- ``method`` / ``methods``: the default payment method and the methods allowed
  (``bank``, ``mobile_money``, ``cash_in_hand``).
- ``late_after_days`` / ``missed_after_days``: an unpaid transfer is late this many
  days after its due date, and missed after the second (7 and 30).
- ``follow_up_months``: when follow-ups are due, in months after the choice
  (monthly for three months, then at six: 1, 2, 3, 6).
- ``min_group``: measures hide any group of fewer clients than this (5).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..cash import DEFAULT_MINIMUM_WAGES

__all__ = ["DEFAULT_AMOUNTS", "METHODS", "Method", "Programme"]

Method = Literal["bank", "mobile_money", "cash_in_hand"]
METHODS: tuple[str, ...] = get_args(Method)

#: the pilot's amount table: the monthly minimum wage where the client is paid
DEFAULT_AMOUNTS: Mapping[str, tuple[Decimal, str]] = {
    country: (Decimal(str(int(amount))), currency) for country, (amount, currency, _) in DEFAULT_MINIMUM_WAGES.items()
}


class Programme(BaseModel):
    """Cash-plus settings of one programme (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transfers: int = Field(default=3, ge=1, le=24)
    interval_months: int = Field(default=1, ge=1, le=12)
    amounts: dict[str, tuple[Decimal, str]] = Field(default_factory=lambda: dict(DEFAULT_AMOUNTS))
    method: Method = "bank"
    methods: tuple[Method, ...] = METHODS  # type: ignore[assignment]
    late_after_days: int = Field(default=7, ge=0, le=365)
    missed_after_days: int = Field(default=30, ge=1, le=3650)
    follow_up_months: tuple[int, ...] = (1, 2, 3, 6)
    min_group: int = Field(default=5, ge=1, le=1000)

    @field_validator("amounts")
    @classmethod
    def _exact(cls, v: dict[str, tuple[Decimal, str]]) -> dict[str, tuple[Decimal, str]]:
        for country, (amount, currency) in v.items():
            if amount < 0 or not amount.is_finite():
                raise ValueError(f"amounts.{country}: must be 0 or more")
            if len(currency) != 3 or not currency.isupper():
                raise ValueError(f"amounts.{country}: currency must be a 3-letter ISO 4217 code")
        return v

    @field_validator("follow_up_months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(m < 1 or m > 120 for m in v) or list(v) != sorted(set(v)):
            raise ValueError("follow_up_months: increasing whole months from 1 to 120")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        if self.missed_after_days <= self.late_after_days:
            raise ValueError("missed_after_days must be more than late_after_days")
        if self.method not in self.methods:
            raise ValueError(f"method {self.method!r} must be one of methods {list(self.methods)}")
        return self
