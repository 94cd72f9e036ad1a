"""Cash-plus over time (issue 12): the transfers a client gets when they choose cash,
their own spending plan, follow-ups and the journey they make, the measures that
reflect empowerment, and the anonymised donor report.

Pure functions over plain models; the service (``freechoice.api.casework``) stores
them and audits every access.
"""

from .donor import DonorReport, donor_report, report_csv, report_html
from .followups import (
    OUTCOMES,
    REFERRAL_OUTCOMES,
    DueFollowUp,
    FollowUp,
    JourneyStep,
    ReferralOutcome,
    follow_ups_due,
    journey,
    top_needs,
)
from .measures import DEFINITIONS, CaseRecord, CaseReferral, Measure, MeasureGroup, compute_measures, render_measures
from .money import as_amount, money_text
from .plans import PlanLine, PlanVersion, check_plan, plan_total
from .programme import METHODS, Programme
from .redact import redact
from .simulate import SIMULATION_START, SimulatedCase, simulate_casework
from .transfers import (
    STATUSES,
    Payment,
    ScheduledTransfer,
    TransferState,
    add_months,
    check_payment,
    make_schedule,
    paid_and_due,
    transfer_states,
    transfer_status,
)

__all__ = [
    "CaseRecord",
    "CaseReferral",
    "DEFINITIONS",
    "DonorReport",
    "DueFollowUp",
    "FollowUp",
    "JourneyStep",
    "METHODS",
    "Measure",
    "MeasureGroup",
    "OUTCOMES",
    "Payment",
    "PlanLine",
    "PlanVersion",
    "Programme",
    "REFERRAL_OUTCOMES",
    "ReferralOutcome",
    "SIMULATION_START",
    "STATUSES",
    "ScheduledTransfer",
    "SimulatedCase",
    "TransferState",
    "add_months",
    "as_amount",
    "check_payment",
    "check_plan",
    "compute_measures",
    "donor_report",
    "follow_ups_due",
    "journey",
    "make_schedule",
    "money_text",
    "paid_and_due",
    "plan_total",
    "redact",
    "render_measures",
    "report_csv",
    "report_html",
    "simulate_casework",
    "top_needs",
    "transfer_states",
    "transfer_status",
]
