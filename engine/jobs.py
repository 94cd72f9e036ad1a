"""The facts of a job option, as a worker asks them (issue 9, item 5).

Sector, direct hire or broker, recruitment fees, the monthly wage against the minimum
wage, hours (full time, night work), at sea, light work, and whether legal status is
required. They come from the catalog's employment facts; the minimum wage is the
job's own figure, else the configured table's figure for the job's country when the
currency is the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from freechoice.catalog import Service

from .options import JobFacts

__all__ = ["job_facts"]


def _country(svc: Service) -> str | None:
    if svc.location is not None:
        return svc.location.country
    countries = {a.country for a in svc.service_areas}
    return countries.pop() if len(countries) == 1 else None


def job_facts(svc: Service, minimum_wages: Mapping[str, Sequence[object]]) -> JobFacts | None:
    """The job facts of ``svc`` (None when it is not a job)."""
    emp = svc.employment
    if emp is None:
        return None
    minimum = emp.minimum_wage_monthly
    currency = emp.currency
    if minimum is None:
        country = _country(svc)
        if country is not None and country in minimum_wages:
            entry = minimum_wages[country]
            amount, table_currency = float(entry[0]), str(entry[1])  # type: ignore[arg-type]
            if currency is None or currency == table_currency:
                minimum, currency = amount, table_currency
    versus: Literal["above", "at", "below", "unknown"]
    if emp.wage_monthly is None or not minimum:
        versus = "unknown"
    elif emp.wage_monthly > minimum:
        versus = "above"
    elif emp.wage_monthly == minimum:
        versus = "at"
    else:
        versus = "below"
    return JobFacts(
        sectors=list(emp.sectors),
        hire="direct" if emp.direct_hire else "broker",
        charges_recruitment_fees=emp.charges_recruitment_fees,
        wage_monthly=emp.wage_monthly,
        minimum_wage_monthly=minimum,
        currency=currency,
        wage_vs_minimum=versus,
        full_time=emp.full_time,
        night_work=emp.night_work,
        at_sea=emp.at_sea,
        light_work_available=emp.light_work_available,
        legal_status_required=svc.eligibility.legal_status_required,
    )
