"""Single words and short phrases that fill the engine's templates: parties, sectors,
genders, availability. Their English form is what the engine writes into a text;
:mod:`.localize` swaps each for its translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .markers import N_

__all__ = ["TERMS"]

#: English term as the engine writes it -> the message id (the same English)
TERMS: Mapping[str, str] = MappingProxyType(
    {
        # parties (catalog PARTIES)
        "police": N_("police"),
        "immigration": N_("immigration"),
        "employer": N_("employer"),
        "broker": N_("broker"),
        "suspect": N_("suspect"),
        # sectors (catalog SECTORS, "_" written as a space)
        "agriculture": N_("agriculture"),
        "construction": N_("construction"),
        "domestic work": N_("domestic work"),
        "fishing": N_("fishing"),
        "garment": N_("garment"),
        "hospitality": N_("hospitality"),
        "manufacturing": N_("manufacturing"),
        "retail": N_("retail"),
        "seafood processing": N_("seafood processing"),
        "services": N_("services"),
        "transport": N_("transport"),
        # genders (eligibility)
        "female": N_("female"),
        "male": N_("male"),
        # documents (catalog DocumentCode, as codes and as words)
        "passport": N_("passport"),
        "id_card": N_("identity card"),
        "work_permit": N_("work permit"),
        "police_report": N_("police report"),
        "birth_certificate": N_("birth certificate"),
        "other": N_("another document"),
        # availability
        "open": N_("open"),
        "waitlist": N_("waiting list"),
        "full": N_("full"),
    }
)
