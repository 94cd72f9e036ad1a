"""Burmese must be Unicode, not Zawgyi: a check with Google's ``myanmartools`` detector.

Zawgyi reuses the Myanmar code points with other meanings, so Zawgyi text looks like
Burmese to a program and like garbage on a Unicode phone. The detector gives the
probability that a string is Zawgyi; anything above ``THRESHOLD`` is refused.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

from myanmartools import ZawgyiDetector

__all__ = ["THRESHOLD", "is_zawgyi", "zawgyi_probability"]

THRESHOLD = 0.5
_MYANMAR = range(0x1000, 0x10A0)


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    # myanmartools 1.2 loads its model with importlib.resources.open_binary (deprecated)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return ZawgyiDetector()


def zawgyi_probability(text: str) -> float:
    """The detector's probability that ``text`` is Zawgyi (0.0 without Myanmar letters)."""
    if not any(ord(ch) in _MYANMAR for ch in text):
        return 0.0
    return float(_detector().get_zawgyi_probability(text))


def is_zawgyi(text: str) -> bool:
    """Whether ``text`` is (probably) Zawgyi-encoded Burmese rather than Unicode."""
    return zawgyi_probability(text) > THRESHOLD
