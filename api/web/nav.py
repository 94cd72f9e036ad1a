"""The links of the pages' menu, by role. A new page adds its line here (one line, so
pages built on separate branches merge without conflicts)."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_

__all__ = ["NAV_LINKS", "NavLink", "links_for"]


@dataclass(frozen=True)
class NavLink:
    label: str  # an English message, translated when shown
    href: str
    roles: tuple[str, ...]


NAV_LINKS: list[NavLink] = [
    NavLink(N_("New intake"), "/web/intake", ("caseworker",)),
    NavLink(N_("People"), "/web/people", ("admin",)),
    NavLink(N_("Referrals"), "/web/referrals", ("caseworker", "partner")),
    NavLink(N_("Services"), "/web/services", ("partner",)),
    NavLink(N_("Dashboard"), "/web/dashboard", ("manager", "admin")),
    NavLink(N_("Transfers"), "/web/transfers", ("caseworker",)),
    NavLink(N_("Follow-ups"), "/web/follow-ups", ("caseworker",)),
    NavLink(N_("Donor report"), "/web/reports/donor", ("manager", "admin")),
]


def links_for(role: str) -> list[NavLink]:
    """The menu of a person with ``role``, in order."""
    return [link for link in NAV_LINKS if role in link.roles]
