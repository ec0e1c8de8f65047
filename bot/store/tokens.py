"""The SQLite store's FTS5 tokenizer (``porter unicode61 remove_diacritics 2``), in Python.

Both stores use it: the PostgreSQL store indexes and looks up words with it (so a word is the
same word on both), and the SQLite store needs FTS5's tokens outside FTS5 twice: to rank the
claims FTS5 found (term counts per column), and to write the word-pair column that lets a phrase of common words be found
without walking their whole doclists (see ``search_index.py``). Ranking tolerates a small
difference; the word pairs must agree with FTS5 exactly, or a phrase would miss a claim.

Agreement is exact for what ``is_exact`` accepts: ASCII letters and digits, with any
(long-assigned) punctuation, spacing or symbols between them. There unicode61 folds case only, and the
stemmer below is a line-by-line port of FTS5's (SQLite's ``fts5_tokenize.c``), checked word by
word against the FTS5 linked into this Python by ``tests/store/test_tokens.py``. Other text
(accented or non-Latin letters) is tokenized approximately, which is good enough for ranking,
and the store never relies on its word pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_ASCII_WORD = re.compile(r"[0-9a-z]+")
# ASCII letters to lower case, digits kept, everything else to a space.
_ASCII_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)
_ANY_WORD = re.compile(r"[^\W_]+")
# FTS5 passes tokens shorter or longer than these (in bytes) through the stemmer unchanged.
_MIN_STEMMED, _MAX_STEMMED = 3, 64
# Non-ASCII characters that unicode61 treats as separators for certain: punctuation, spaces and
# symbols (curly quotes, dashes, no-break spaces, currency signs) that were already assigned in
# Unicode 3.2, so they have the same class in unicode61's Unicode 6.1 tables. (Characters
# assigned later, many emoji among them, are token characters to FTS5's older tables.)
_SEPARATOR_CATEGORIES = frozenset(
    ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Zl", "Zp", "Sm", "Sc", "Sk", "So")
)


@lru_cache(maxsize=4096)
def _is_separator(char: str) -> bool:
    return (
        unicodedata.ucd_3_2_0.category(char) in _SEPARATOR_CATEGORIES
        and unicodedata.category(char) in _SEPARATOR_CATEGORIES
    )


def is_exact(text: str) -> bool:
    """Whether ``tokens(text)`` is exactly what FTS5 indexes for ``text``."""
    return text.isascii() or all(c.isascii() or _is_separator(c) for c in text)


def _approximately_folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The words of ``text`` as unicode61 folds them, before stemming."""
    if text.isascii():
        # The common case, and the hot path of ranking: one C pass folds case and separators.
        return text.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split()
    if is_exact(text):
        # Not NFKD here: it would turn separators such as "™" into letters.
        return _ASCII_WORD.findall(text.lower())
    return _ANY_WORD.findall(_approximately_folded(text))


def tokens(text: str) -> list[str]:
    """The terms FTS5 indexes for ``text``, in order (exact where ``is_exact(text)``)."""
    return list(map(stem, words(text)))


# ----------------------------------------------------------------------------- the stemmer
# A port of FTS5's Porter stemmer, kept in the same shape (and with the same quirks, such as
# "y" counting as a vowel anywhere but first) so that it can be compared with the C line by line.


def _is_vowel(c: str, y_is_vowel: bool) -> bool:
    return c in "aeiou" or (y_is_vowel and c == "y")


def _gobble_vc(stem: str, prev_consonant: bool) -> int:
    """Length of the first vowel-consonant run, or 0 if there is none."""
    consonant = prev_consonant
    n = len(stem)
    i = 0
    while i < n:
        consonant = not _is_vowel(stem[i], consonant)
        if not consonant:
            break
        i += 1
    i += 1
    while i < n:
        consonant = not _is_vowel(stem[i], consonant)
        if consonant:
            return i + 1
        i += 1
    return 0


def _m_gt0(stem: str) -> bool:
    return _gobble_vc(stem, False) > 0


def _m_gt1(stem: str) -> bool:
    n = _gobble_vc(stem, False)
    return n > 0 and _gobble_vc(stem[n:], True) > 0


def _m_eq1(stem: str) -> bool:
    n = _gobble_vc(stem, False)
    return n > 0 and _gobble_vc(stem[n:], True) == 0


def _o_star(stem: str) -> bool:
    if stem[-1] in "wxy":
        return False
    mask = 0
    consonant = False
    for c in stem:
        consonant = not _is_vowel(c, consonant)
        mask = (mask << 1) + consonant
    return (mask & 0x7) == 0x5


def _m_gt1_and_s_or_t(stem: str) -> bool:
    return stem[-1] in "st" and _m_gt1(stem)


def _has_vowel(stem: str) -> bool:
    return any(_is_vowel(c, i > 0) for i, c in enumerate(stem))


# (suffix, condition on the stem before it, replacement). FTS5 looks at the first rule whose
# suffix matches (with at least one letter before it) and applies it only if its condition
# holds; a failed condition does not fall through to the next rule.
_Rules = tuple[tuple[str, Callable[[str], bool], str], ...]
_STEP2: _Rules = (
    ("ational", _m_gt0, "ate"),
    ("tional", _m_gt0, "tion"),
    ("enci", _m_gt0, "ence"),
    ("anci", _m_gt0, "ance"),
    ("izer", _m_gt0, "ize"),
    ("logi", _m_gt0, "log"),
    ("bli", _m_gt0, "ble"),
    ("alli", _m_gt0, "al"),
    ("entli", _m_gt0, "ent"),
    ("eli", _m_gt0, "e"),
    ("ousli", _m_gt0, "ous"),
    ("ization", _m_gt0, "ize"),
    ("ation", _m_gt0, "ate"),
    ("ator", _m_gt0, "ate"),
    ("alism", _m_gt0, "al"),
    ("iveness", _m_gt0, "ive"),
    ("fulness", _m_gt0, "ful"),
    ("ousness", _m_gt0, "ous"),
    ("aliti", _m_gt0, "al"),
    ("iviti", _m_gt0, "ive"),
    ("biliti", _m_gt0, "ble"),
)
_STEP3: _Rules = (
    ("ical", _m_gt0, "ic"),
    ("ness", _m_gt0, ""),
    ("icate", _m_gt0, "ic"),
    ("iciti", _m_gt0, "ic"),
    ("ful", _m_gt0, ""),
    ("ative", _m_gt0, ""),
    ("alize", _m_gt0, "al"),
)
_STEP4: _Rules = (
    ("al", _m_gt1, ""),
    ("ance", _m_gt1, ""),
    ("ence", _m_gt1, ""),
    ("er", _m_gt1, ""),
    ("ic", _m_gt1, ""),
    ("able", _m_gt1, ""),
    ("ible", _m_gt1, ""),
    ("ant", _m_gt1, ""),
    ("ement", _m_gt1, ""),
    ("ment", _m_gt1, ""),
    ("ent", _m_gt1, ""),
    ("ion", _m_gt1_and_s_or_t, ""),
    ("ou", _m_gt1, ""),
    ("ism", _m_gt1, ""),
    ("ate", _m_gt1, ""),
    ("iti", _m_gt1, ""),
    ("ous", _m_gt1, ""),
    ("ive", _m_gt1, ""),
    ("ize", _m_gt1, ""),
)


def _by_last_letter(rules: _Rules) -> dict[str, _Rules]:
    """The rules grouped by their suffix's last letter, each group in the rules' order: the
    first matching rule is found among two or three instead of twenty (stemming is most of a
    long query's Python time)."""
    grouped: dict[str, list[tuple[str, Callable[[str], bool], str]]] = {}
    for rule in rules:
        grouped.setdefault(rule[0][-1], []).append(rule)
    return {last: tuple(group) for last, group in grouped.items()}


_STEP2_BY_LAST = _by_last_letter(_STEP2)
_STEP3_BY_LAST = _by_last_letter(_STEP3)
_STEP4_BY_LAST = _by_last_letter(_STEP4)


def _apply(word: str, rules_by_last: dict[str, _Rules]) -> str:
    for suffix, condition, replacement in rules_by_last.get(word[-1:], ()):
        if len(word) > len(suffix) and word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if condition(stem) else word
    return word


def _step1b(word: str) -> tuple[str, bool]:
    """Step 1b: (eed → ee), (ed →), (ing →); True when ed or ing was removed."""
    if len(word) > 3 and word.endswith("eed"):
        return (word[:-1], False) if _m_gt0(word[:-3]) else (word, False)
    if len(word) > 2 and word.endswith("ed"):
        return (word[:-2], True) if _has_vowel(word[:-2]) else (word, False)
    if len(word) > 3 and word.endswith("ing"):
        return (word[:-3], True) if _has_vowel(word[:-3]) else (word, False)
    return word, False


def _step1a(word: str) -> str:
    if word.endswith("s"):
        if word[-2:-1] == "e":
            if (len(word) > 4 and word[-4:-2] == "ss") or (len(word) > 3 and word[-3] == "i"):
                return word[:-2]
            return word[:-1]
        if word[-2:-1] != "s":
            return word[:-1]
    return word


def opening(word: str) -> str:
    """A word's first two letters, a second "y" read as "i". A word's stem has the same opening
    as the word, or is one letter long and that letter opens it: Porter rewrites endings only,
    and a "y" that ends a stem (the second letter at the earliest) becomes "i"."""
    return word[:1] + word[1:2].replace("y", "i")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """FTS5's Porter stem of one folded token (cached: news vocabulary repeats a lot)."""
    if not _MIN_STEMMED <= len(word.encode()) <= _MAX_STEMMED:
        return word
    word = _step1a(word)
    word, removed = _step1b(word)
    if removed:
        for suffix, longer in (("at", "ate"), ("bl", "ble"), ("iz", "ize")):
            if len(word) > 2 and word.endswith(suffix):
                word = word[:-2] + longer
                break
        else:
            last = word[-1]
            if (
                not _is_vowel(last, False)
                and last not in "lsz"
                and len(word) > 1
                and last == word[-2]
            ):
                word = word[:-1]
            elif _m_eq1(word) and _o_star(word):
                word += "e"
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    word = _apply(word, _STEP2_BY_LAST)
    word = _apply(word, _STEP3_BY_LAST)
    word = _apply(word, _STEP4_BY_LAST)
    if word.endswith("e"):
        before = word[:-1]
        if _m_gt1(before) or (_m_eq1(before) and not _o_star(before)):
            word = before
    if len(word) > 1 and word.endswith("ll") and _m_gt1(word[:-1]):
        word = word[:-1]
    return word
