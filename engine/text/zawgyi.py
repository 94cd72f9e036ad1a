"""Burmese must be Unicode, not Zawgyi: a check with Google's ``myanmartools`` detector.

Zawgyi reuses the Myanmar code points with other meanings, so Zawgyi text looks like
Burmese to a program and like garbage on a Unicode phone. The detector gives the
probability that a string is Zawgyi; anything above ``THRESHOLD`` is refused. On a
word or two the detector guesses (a Unicode "food" scores 0.9), so short texts are
judged by a rule that holds in Unicode and breaks in Zawgyi instead: the vowel sign E
(U+1031) is stored after its consonant, never first in a word.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from myanmartools import ZawgyiDetector

__all__ = ["MIN_LETTERS", "THRESHOLD", "is_zawgyi", "zawgyi_probability"]

THRESHOLD = 0.5
#: fewer Myanmar letters than this: the structural rule alone decides
MIN_LETTERS = 12
_MYANMAR = range(0x1000, 0x10A0)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# U+1031 at the start of a word: after nothing, a space, punctuation or a non-Myanmar letter
_E_FIRST = re.compile(r"(?:^|[^\u1000-\u109f])\u1031")


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
    """Whether ``text`` is (probably) Zawgyi-encoded Burmese rather than Unicode
    (``{placeholders}`` are ignored)."""
    bare = _PLACEHOLDER.sub(" ", text)
    if _E_FIRST.search(bare):
        return True
    if sum(1 for ch in bare if ord(ch) in _MYANMAR) < MIN_LETTERS:
        return False
    return zawgyi_probability(bare) > THRESHOLD
