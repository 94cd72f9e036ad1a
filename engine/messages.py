"""Words a client hears that come from the engine itself rather than from a rule pack.

Kept here as message templates (one id each, ``str.format`` fields) so that a later
translation replaces them in one place. Rule texts live in the rule packs.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .text.catalogs import Translator
from .text.markers import N_

if TYPE_CHECKING:
    from .options import More

__all__ = ["MESSAGES", "message", "more_message"]

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "age-not-recorded": N_(
            "Age not recorded. Ask the client's age: a child (under {age_of_majority} here) is offered child "
            "protection first, and no adult-only services."
        ),
        "cash-recipient-guardian": N_(
            "None: the money is for the child's own plan. It is paid to a parent or guardian the child agrees to, "
            "who spends it with the child."
        ),
        "cash-safeguarding": N_(
            "Safeguarding: a child protection worker checks with the child, on their own, that the money reaches "
            "them and that nobody takes it or uses it to pressure them."
        ),
        "no-job-yet": N_(
            "No job yet: no job you can take was found in {where}. Other ways to earn are listed; see what "
            "stands in the way of the jobs."
        ),
        "only-on-request": N_(
            "Only options shown on request (bad practice the programme warns about) were found for '{label}'; "
            "see their cautions."
        ),
        "shown-on-request": N_("{text} Shown on request."),
        # the person-facing rendering (engine.render.render_option_list)
        "view-title": N_("Options for you"),
        "view-intro": N_("These are options to choose from. Nothing is decided until you choose."),
        "view-take-care": N_("Take care: {text}"),
        "view-show-all": N_(
            "You asked to see everything: options the programme warns about are included, last in each need."
        ),
        "view-cash-guardian": N_("paid to: the child's guardian"),
        "view-cash-also": N_("The cash option can also pay for this."),
        "view-priority": N_("{label} (your priority: {priority} of 4)"),
        "view-also-meets": N_("also helps with: {needs}"),
        "view-shown-above": N_("{name}: see above, under {need}"),
        "view-why": N_("why: {text}"),
        "view-watch-out": N_("watch out: {text}"),
        "view-where": N_("where: {place} | staff speak: {languages} | cost: {cost}"),
        "view-more": N_("... and {count} more (ask your caseworker to see them)"),
        # a bounded list whose later options are not all worked out yet: the count is a most
        "view-more-at-most": N_("... and up to {count} more (ask your caseworker to see them)"),
        "view-no-option": N_("No option yet: {text}"),
        "view-near-miss": N_("close, but: {name} ({provider}): {blocked}"),
        "view-by-place": N_("By place (you have not decided where to be):"),
        "view-left-out": N_("{count} services were left out for you; your caseworker can tell you why."),
        "view-on-request": N_("{count} of them can be shown if you ask."),
        "view-nothing-here": N_("nothing found here yet"),
        # issue 10: the view in the client's language, contact cards, the caseworker's additions
        "view-fictional": N_("[FICTIONAL SAMPLE DATA]"),
        "view-cash-total": N_("Cash: {transfers} monthly transfers of {amount}, {total} in all. {paid_in}{conditions}"),
        "view-cash-when": N_("One transfer each month, for {transfers} months, from when you choose it."),
        "view-shown-on-request-flag": N_("(shown on request)"),
        "view-until": N_("{availability} until {date}"),
        "view-in-english": N_("(in English: no translation yet)"),
        # a bounded list's later page when the catalog moved on since the list was made
        "view-as-of-now": N_(
            "The catalog changed since this list was made: these further options are as the catalog is now."
        ),
        "view-page-unreadable": N_(
            "These further options cannot be shown from this link. Go back to the list and ask for more again."
        ),
        "view-in-language": N_("(in {language}: no translation yet)"),
        "view-whole-in-english": N_(
            "There is no translation into the language asked for yet: this list is in English."
        ),
        "view-draft-translation": N_(
            "This translation was drafted by an AI assistant and has not yet been checked by a native speaker."
        ),
        "card-phone": N_("phone: {value}"),
        "card-email": N_("email: {value}"),
        "card-website": N_("website: {value}"),
        "card-hours": N_("opening hours: {value}"),
        "card-bring": N_("bring: {value}"),
        "card-nothing-to-bring": N_("nothing listed"),
        "card-meet": N_("you will meet: {value}"),
        "card-who-learns": N_("who learns about you: {value}"),
        "card-unknown": N_("not known: ask your caseworker"),
        "job-line": N_("job: {facts}"),
        "job-direct": N_("hires directly"),
        "job-broker": N_("through a broker"),
        "job-fees": N_("charges recruitment fees"),
        "job-no-fees": N_("no recruitment fees"),
        "job-wage": N_("{wage} a month"),
        "job-wage-above": N_("{wage} a month (above the minimum wage of {minimum})"),
        "job-wage-at": N_("{wage} a month (at the minimum wage of {minimum})"),
        "job-wage-below": N_("{wage} a month (BELOW the minimum wage of {minimum})"),
        "job-no-wage": N_("wage not stated"),
        "job-full-time": N_("full time"),
        "job-part-time": N_("part time"),
        "job-night": N_("night work"),
        "job-no-night": N_("no night work"),
        "job-sea": N_("at sea"),
        "job-land": N_("on land"),
        "job-light": N_("light work available"),
        "job-no-light": N_("no light work"),
        "job-permit": N_("needs a work permit"),
        "job-no-permit": N_("no work permit asked"),
        "cw-head": N_("For the caseworker:"),
        "cw-list": N_("option list {id} | {rules_version} | {catalog_version}"),
        "cw-option": N_("option {id} | fit {score} | rules: {rules}"),
        "cw-left-out": N_("left out: {name}: {reason}"),
        "cw-spending-plan": N_("spending plan to fill in with the client, against: {needs}"),
        "cw-cash-basis": N_("cash basis: {basis}"),
    }
)


def message(key: str, translator: Translator | None = None, **fields: Any) -> str:
    """The message ``key`` with its fields filled in (in ``translator``'s language when given)."""
    template = MESSAGES[key] if translator is None else translator.gettext(MESSAGES[key])
    return template.format(**fields)


def more_message(more: More | None) -> str:
    """The key of the words for a need's further options: "... and N more" when their
    count is exact (a list with no later page, or one whose later candidates were all
    weighed), "... and up to N more" when it is an upper bound."""
    return "view-more" if more is None or more.exact else "view-more-at-most"
