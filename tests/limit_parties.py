"""Who a client meets through a service, written out from the brief (not read from the
engine): what the limit properties check options, steps and referrals against."""

from __future__ import annotations

from freechoice.catalog import Service

__all__ = ["DOCUMENT_MEETS", "KIND_MEETS", "brings"]

#: kinds whose step itself means meeting a party (filing a police report means the police)
KIND_MEETS = {"documents.police_report": {"police"}, "legal_aid.criminal_case": {"police", "suspect"}}
#: documents whose getting means meeting a party
DOCUMENT_MEETS = {"police_report": {"police"}}


def brings(svc: Service) -> set[str]:
    """The parties a client meets, or whose files they end up in, through ``svc``."""
    parties = set(svc.contact_with)
    if svc.reports_to_authorities == "mandatory":
        parties |= set(svc.reports_to)
    for kind in svc.kinds:
        parties |= KIND_MEETS.get(kind, set())
    return parties
