"""``N_``: marks a string as a message for extraction, and returns it unchanged.

Engine modules keep their English templates as data (``{"key": N_("...")}``); Babel's
extractor finds every ``N_("...")`` and puts it in the catalog template, and the
translator looks the English text up at render time.
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """``message`` itself: only marks it for extraction."""
    return message
