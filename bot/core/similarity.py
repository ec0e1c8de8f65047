"""Near-duplicate detection between claim texts.

The store narrows a million claims to a handful of candidates that share rare words; this module
decides, in plain Python on those few, whether a candidate says the same thing.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Words that carry no claim on their own; kept short on purpose (English newsroom text).
_STOPWORD_TEXT = (
    "a an and are as at be been but by for from had has have he her his in into is it its of on "
    "or that the their they this to was were which who will with not no than then there these "
    "those said says say over under about after before also"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS]


def _stem(word: str) -> str:
    # A light suffix strip so "regains"/"regained" or "troops"/"troop" compare equal.
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def similarity(a: str, b: str) -> float:
    """0..1; 1 means the same words in the same order."""
    wa = [_stem(w) for w in words(a)]
    wb = [_stem(w) for w in words(b)]
    if not wa or not wb:
        return 0.0
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    sequence = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    return max(jaccard, sequence)


DUPLICATE_THRESHOLD = 0.72


def is_near_duplicate(a: str, b: str) -> bool:
    return similarity(a, b) >= DUPLICATE_THRESHOLD
