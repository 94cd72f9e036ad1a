"""What a client is asked, in their language: the consent questions (what may be shared
with a provider, field by field) and the feedback questions with their answers."""

from __future__ import annotations

from .choices import CONSENT_FIELD_TEXT
from .feedback import FEEDBACK_QUESTIONS
from .text import translator

__all__ = ["consent_questions", "feedback_questions"]


def consent_questions(lang: str | None = None) -> dict[str, str]:
    """Consent field -> what sharing it means, in plain words in ``lang`` (English by default)."""
    t = translator(lang)
    return {field: t.gettext(text) for field, text in CONSENT_FIELD_TEXT.items()}


def feedback_questions(lang: str | None = None) -> dict[str, str]:
    """Feedback field (and ``need_met.<answer>``) -> the question or answer in ``lang``."""
    t = translator(lang)
    return {key: t.gettext(text) for key, text in FEEDBACK_QUESTIONS.items()}
