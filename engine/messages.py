"""Words a client hears that come from the engine itself rather than from a rule pack.

Kept here as message templates (one id each, ``str.format`` fields) so that a later
translation replaces them in one place. Rule texts live in the rule packs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["MESSAGES", "message"]

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "age-not-recorded": (
            "Age not recorded. Ask the client's age: a child (under {age_of_majority} here) is offered child "
            "protection first, and no adult-only services."
        ),
        "cash-recipient-guardian": (
            "None: the money is for the child's own plan. It is paid to a parent or guardian the child agrees to, "
            "who spends it with the child."
        ),
        "cash-safeguarding": (
            "Safeguarding: a child protection worker checks with the child, on their own, that the money reaches "
            "them and that nobody takes it or uses it to pressure them."
        ),
        "no-job-yet": (
            "No job yet: no job you can take was found in {where}. Other ways to earn are listed; see what "
            "stands in the way of the jobs."
        ),
        "only-on-request": (
            "Only options shown on request (bad practice the programme warns about) were found for '{label}'; "
            "see their cautions."
        ),
        "shown-on-request": "{text} Shown on request.",
        # the person-facing rendering (engine.render.render_option_list)
        "view-title": "Options for you",
        "view-intro": "These are options to choose from. Nothing is decided until you choose.",
        "view-take-care": "Take care: {text}",
        "view-show-all": "You asked to see everything: options the programme warns about are included, last in each need.",
        "view-cash": "Cash: {transfers} monthly transfers of {amount} {currency}. {paid_in}{conditions}",
        "view-cash-guardian": "paid to: the child's guardian",
        "view-cash-also": "The cash option can also pay for this.",
        "view-priority": "{label} (your priority: {priority} of 4)",
        "view-also-meets": "also helps with: {needs}",
        "view-shown-above": "{name}: see above, under {need}",
        "view-why": "why: {text}",
        "view-watch-out": "watch out: {text}",
        "view-first": "first: {text}",
        "view-after": "after: {text}",
        "view-where": "where: {place} | staff speak: {languages} | cost: {cost}",
        "view-more": "... and {count} more (ask your caseworker to see them)",
        "view-no-option": "No option yet: {text}",
        "view-near-miss": "close, but: {name} ({provider}): {blocked}",
        "view-by-place": "By place (you have not decided where to be):",
        "view-left-out": "{count} services were left out for you; your caseworker can tell you why.",
        "view-on-request": "{count} of them can be shown if you ask.",
        "view-nothing-here": "nothing found here yet",
    }
)


def message(key: str, **fields: Any) -> str:
    """The message ``key`` with its fields filled in."""
    return MESSAGES[key].format(**fields)
