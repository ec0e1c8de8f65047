"""The Python twin of the store's FTS5 tokenizer agrees with the FTS5 linked into this Python."""

from __future__ import annotations

import random
import sqlite3

import pytest

from bot.store.tokens import is_exact, opening, stem, tokens

# Every suffix a rule of the Porter stemmer looks at, and a few that look alike.
SUFFIXES = (
    "", "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "ly", "y", "e", "al", "ational",
    "tional", "enci", "anci", "izer", "logi", "bli", "alli", "entli", "eli", "ousli", "ization",
    "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "ical",
    "ness", "icate", "iciti", "ful", "ative", "alize", "ance", "ence", "er", "ic", "able", "ible",
    "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive",
    "ize", "ll", "at", "bl", "iz", "ating", "bling", "izing", "ting", "ping", "ying", "yed",
)  # fmt: skip


def fts5_terms(text: str) -> list[str]:
    """What FTS5 itself indexes for ``text``, in order."""
    with sqlite3.connect(":memory:") as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
        conn.execute("INSERT INTO t(rowid, a) VALUES (1, ?)", (text,))
        return [row[0] for row in conn.execute("SELECT term FROM v ORDER BY offset")]


def word_list() -> list[str]:
    rng = random.Random(2025)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {a + b + c for a in letters for b in letters for c in "aeiouyst"}
    for length in range(1, 6):
        for _ in range(2500):
            base = "".join(
                rng.choice(letters if rng.random() < 0.5 else "aeiouy") for _ in range(length)
            )
            words.update(base + suffix for suffix in rng.sample(SUFFIXES, 6))
    words.update({"x" * 70, "y" * 64, "a" * 62 + "ing", "sky", "happy", "controll", "ties"})
    return sorted(words)


def test_every_stem_is_the_one_fts5_indexes() -> None:
    words = word_list()
    assert len(words) > 60_000
    theirs = fts5_terms(" ".join(words))
    assert len(theirs) == len(words)
    differ = [(w, t, stem(w)) for w, t in zip(words, theirs, strict=True) if stem(w) != t]
    assert differ == []


def test_every_separator_the_twin_trusts_is_one_to_fts5() -> None:
    trusted = [
        chr(c) for c in range(0x80, 0x30000) if not 0xD800 <= c < 0xE000 and is_exact(f"a{chr(c)}b")
    ]
    assert {"\u2019", "\u2014", "\u00a0", "\u201c"} <= set(trusted)
    text = " ".join(f"a{c}b" for c in trusted)
    assert fts5_terms(text) == tokens(text) == ["a", "b"] * len(trusted)


@pytest.mark.parametrize(
    "text",
    [
        "Russia\u2019s forces said \u201cthe gas station\u201d was shelled \u2014 2025 report",
        "The MINISTRY's 3.1% figure (Oct.) isn't final_draft",
        "Brand\u2122 trademarks & \u00a3100 fines",
    ],
)
def test_exact_text_is_tokenized_exactly(text: str) -> None:
    assert is_exact(text)
    assert tokens(text) == fts5_terms(text)


@pytest.mark.parametrize(
    "text", ["Z\u00fcrich said", "\u0421\u0443\u0434\u0436\u0430", "caf\u00e9 \U0001f525"]
)
def test_other_text_is_flagged_and_still_folded_like_fts5(text: str) -> None:
    # Not relied upon (see search_index.py), but close enough to rank by.
    assert not is_exact(text)
    assert tokens(text) == fts5_terms(text)


def test_a_stem_opens_as_its_word_does() -> None:
    # Ranking skips stemming a word that opens differently from every searched stem
    # (lexical_ranking._Wanted): that is only right while this holds for every word.
    assert [w for w in word_list() if not opening(w).startswith(opening(stem(w)))] == []
