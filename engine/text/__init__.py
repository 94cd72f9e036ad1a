"""The client's language (issue 10): gettext catalogs, negotiation and locale formats.

    t = translator("my")              # gettext / ngettext / pgettext, .language, .is_fallback
    negotiate("my-MM,en;q=0.5")       # -> "my"
    format_money(9000, "THB", "my")   # amounts with the currency in words, never a code

Catalogs live in ``locales/<lang>/LC_MESSAGES/freechoice.po`` (compiled in memory on
first use); ``freechoice i18n extract`` refreshes the template and the catalogs,
``freechoice i18n status`` prints coverage and review status per language.
"""

from __future__ import annotations

from .catalogs import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    CatalogStatus,
    Translator,
    catalog_status,
    translator,
)
from .formatting import (
    country_display_name,
    format_date,
    format_list_of,
    format_money,
    format_number,
    language_display_name,
)
from .markers import N_
from .negotiate import negotiate

__all__ = [
    "CatalogStatus",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "Translator",
    "catalog_status",
    "country_display_name",
    "format_date",
    "format_list_of",
    "format_money",
    "format_number",
    "language_display_name",
    "negotiate",
    "translator",
]
