"""freechoice.engine: from a client's ranked needs to an explained list of options.

The durable-rules host, matching, scoring, explanations, the referral graph and
pathways, option lists, and (in their own modules) choices, referrals, feedback and KPIs.
Errors come from the one hierarchy in :mod:`freechoice.catalog.errors`, re-exported here.
"""

from freechoice.catalog.errors import (
    CatalogError,
    ChoiceError,
    ConflictError,
    DataKeyError,
    FreechoiceError,
    Problem,
    ReferralCycleError,
    RuleEngineError,
    RuleError,
    ValidationFailed,
)

from .assessment import Assessment, ClientPlace, Situation, parse_assessment
from .cash import DEFAULT_MINIMUM_WAGES, cash_option
from .children import ChildPolicy
from .choices import ALWAYS_SHARED, CONSENT_FIELDS, Choice, ReferralDraft, choose, render_shared_view, shared_view
from .compile import CompiledRules, compile_rules, load_rules, render_text
from .graph import ReferralGraph, check_service, referral_graph
from .options import (
    Alternative,
    CashOption,
    Caution,
    Exclusion,
    JobFacts,
    More,
    NearMiss,
    NeedOptions,
    Option,
    OptionList,
    Reason,
    SpendingPlanLine,
    Step,
    Unmet,
    WayForward,
)
from .pages import BadCursor, OptionsPage, StaleOptionList, options_page
from .propose import propose
from .snapshot import FromSnapshot, catalog_from_snapshot, load_snapshot, save_snapshot

__all__ = [
    "ALWAYS_SHARED",
    "Alternative",
    "Assessment",
    "BadCursor",
    "CONSENT_FIELDS",
    "CashOption",
    "CatalogError",
    "Caution",
    "ChildPolicy",
    "Choice",
    "ChoiceError",
    "ClientPlace",
    "CompiledRules",
    "ConflictError",
    "DEFAULT_MINIMUM_WAGES",
    "DataKeyError",
    "Exclusion",
    "FreechoiceError",
    "FromSnapshot",
    "JobFacts",
    "More",
    "NearMiss",
    "NeedOptions",
    "Option",
    "OptionList",
    "OptionsPage",
    "Problem",
    "Reason",
    "ReferralCycleError",
    "ReferralDraft",
    "ReferralGraph",
    "RuleEngineError",
    "RuleError",
    "Situation",
    "SpendingPlanLine",
    "StaleOptionList",
    "Step",
    "Unmet",
    "ValidationFailed",
    "WayForward",
    "cash_option",
    "catalog_from_snapshot",
    "check_service",
    "choose",
    "compile_rules",
    "load_rules",
    "load_snapshot",
    "options_page",
    "parse_assessment",
    "propose",
    "referral_graph",
    "render_shared_view",
    "render_text",
    "save_snapshot",
    "shared_view",
]
