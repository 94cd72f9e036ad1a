"""The cash option: unconditional transfers next to services ("cash-plus").

Three monthly transfers, each the monthly minimum wage of the client's current country,
as in the 2015-2016 pilot. The table is configuration: pass your own to ``propose``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .assessment import Assessment
from .options import CashOption

__all__ = ["DEFAULT_MINIMUM_WAGES", "TRANSFERS", "cash_option"]

TRANSFERS = 3

# Monthly minimum wage by country: pilot-era figures (2015-2016) used by the demo.
# Thailand: 300 THB/day; Myanmar: 3,600 MMK/day; Cambodia: garment sector USD 140;
# Laos: 900,000 LAK. Configure current figures for real use.
DEFAULT_MINIMUM_WAGES: Mapping[str, tuple[float, str]] = MappingProxyType(
    {
        "TH": (9000.0, "THB"),
        "MM": (108000.0, "MMK"),
        "KH": (140.0, "USD"),
        "LA": (900000.0, "LAK"),
    }
)


def cash_option(
    assessment: Assessment, minimum_wages: Mapping[str, tuple[float, str]] | None = None
) -> CashOption:
    """The cash option for this client: always offered, never conditional."""
    table = DEFAULT_MINIMUM_WAGES if minimum_wages is None else minimum_wages
    country = assessment.situation.location.country
    ranked = [n for n, _ in assessment.ranked()]
    if country in table:
        amount, currency = table[country]
        basis = f"Monthly minimum wage in {country}"
    else:
        amount, currency = 0.0, "XXX"
        basis = f"No minimum wage configured for {country}: set one before offering cash"
    return CashOption(
        transfers=TRANSFERS,
        amount_per_transfer=amount,
        currency=currency,
        country=country,
        basis=basis,
        spending_plan=[],
        plan_needs=ranked,
    )
