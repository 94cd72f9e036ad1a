"""The cash option: unconditional transfers next to services ("cash-plus").

Three monthly transfers, each the monthly minimum wage of the country where the client
will be: the destination for a client going home or moving elsewhere, else where they
are now (as in the 2015-2016 pilot). The table is configuration, dated per country:
pass your own to ``propose`` (``country -> (amount, currency)`` or
``(amount, currency, as_of)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .assessment import Assessment
from .forward import country_name
from .options import CashOption
from .text.markers import N_

__all__ = ["CASH_TEXTS", "DEFAULT_MINIMUM_WAGES", "TRANSFERS", "cash_country", "cash_option"]

TRANSFERS = 3

# Monthly minimum wage by country, with the date each figure applies from: pilot-era
# figures (2015-2016) used by the demo. Thailand: 300 THB/day; Myanmar: 3,600 MMK/day;
# Cambodia: garment sector USD 140; Laos: 900,000 LAK. Configure current figures for real use.
DEFAULT_MINIMUM_WAGES: Mapping[str, tuple[float, str, str]] = MappingProxyType(
    {
        "TH": (9000.0, "THB", "2013-01-01"),
        "MM": (108000.0, "MMK", "2015-09-01"),
        "KH": (140.0, "USD", "2016-01-01"),
        "LA": (900000.0, "LAK", "2015-04-01"),
    }
)

#: the words a client hears about the cash option (one template each)
CASH_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "basis": N_("Monthly minimum wage in {country}"),
        "basis_as_of": N_("Monthly minimum wage in {country} (figure from {as_of})"),
        "missing": N_("No minimum wage configured for {country}: set one before offering cash"),
        "paid_here": N_("Paid in {country}, where you are now, in {currency}."),
        "paid_there": N_("Paid in {country}, where you plan to go, in {currency}."),
    }
)


def cash_country(assessment: Assessment) -> str:
    """Where the client will be: the destination when going home or moving elsewhere."""
    s = assessment.situation
    if s.plan in ("return_home", "move_elsewhere") and s.intended_location is not None:
        return s.intended_location.country
    return s.location.country


def cash_option(assessment: Assessment, minimum_wages: Mapping[str, Sequence[object]] | None = None) -> CashOption:
    """The cash option for this client: always offered, never conditional."""
    table = DEFAULT_MINIMUM_WAGES if minimum_wages is None else minimum_wages
    country = cash_country(assessment)
    name = country_name(country)
    ranked = [n for n, _ in assessment.ranked()]
    as_of = None
    if country in table:
        entry = table[country]
        amount, currency = float(entry[0]), str(entry[1])  # type: ignore[arg-type]
        as_of = str(entry[2]) if len(entry) > 2 else None
        if as_of:
            basis = CASH_TEXTS["basis_as_of"].format(country=name, as_of=as_of)
        else:
            basis = CASH_TEXTS["basis"].format(country=name)
    else:
        amount, currency = 0.0, "XXX"
        basis = CASH_TEXTS["missing"].format(country=name)
    there = country != assessment.situation.location.country
    paid = CASH_TEXTS["paid_there" if there else "paid_here"].format(country=name, currency=currency)
    return CashOption(
        transfers=TRANSFERS,
        amount_per_transfer=amount,
        currency=currency,
        country=country,
        basis=basis,
        spending_plan=[],
        plan_needs=ranked,
        paid_in=paid,
        minimum_wage_as_of=as_of,
    )
