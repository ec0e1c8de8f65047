"""Rank the claims a text search found: BM25 over their text, claimant and tags.

FTS5's own bm25() computes each word's IDF by walking the word's whole doclist, on every query:
19 ms for "said" at a million claims, and as much for a workspace of 1,000 claims that shares
the file with 999 others, since the doclist spans them all. Claimdesk ranks at most COUNT_CAP
claims, every one of which contains every word searched for (words are ANDed), so IDF would
only weigh the words against each other. It is left out; term frequency, column weights and
length normalisation are BM25's, computed here from the rows the search already fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from bot.store.sqlite.fts_query import Piece, TextQuery
from bot.store.sqlite.tokens import stem, tokens, words

# A match in the text counts most, then the claimant, then a tag (as the FTS5 rank did).
COLUMN_WEIGHTS = (4.0, 2.0, 1.0)
K1, B = 1.2, 0.75
_SEP = "\0"  # never inside a term


@lru_cache(maxsize=8192)
def _short_tokens(value: str) -> tuple[str, ...]:
    """Claimants and tag lists recur from claim to claim: tokenized once each."""
    return tuple(tokens(value))


def _occurrences(piece: Piece, terms: Sequence[str]) -> int:
    wanted = piece.terms
    if not wanted:
        return 0
    if not piece.prefix:
        if len(wanted) == 1:
            return terms.count(wanted[0])
        if wanted[0] not in terms:
            return 0  # the usual answer for a claimant or tags, found without building strings
        # Overlapping occurrences of the phrase, found by the C string search.
        haystack = _SEP + _SEP.join(terms) + _SEP
        needle = _SEP + _SEP.join(wanted) + _SEP
        count, at = 0, haystack.find(needle)
        while at >= 0:
            count += 1
            at = haystack.find(needle, at + 1)
        return count
    last = len(wanted) - 1
    return sum(
        1
        for i in range(len(terms) - last)
        if terms[i + last].startswith(wanted[last])
        and list(terms[i : i + last]) == list(wanted[:last])
    )


def rank(
    rows: Sequence[tuple[Any, ...]], query: TextQuery, *, columns: tuple[int, int, int]
) -> list[tuple[Any, ...]]:
    """``rows`` best first (ties: newest first); ``columns`` index text, claimant and tags."""
    if len(rows) <= 1:
        return list(rows)
    text, claimant, tags = columns
    # Stemming every word of a thousand claims is most of the work, and a word seen for the
    # first time costs a full Porter run. A stem keeps its word's first two letters, so only
    # words that begin like a searched term are stemmed; the others count towards the length
    # and hold a place (an empty term matches nothing) so that phrases stay in order.
    openings = frozenset(term[:2] for piece in query.pieces for term in piece.terms)
    tokenized = [
        (
            [stem(w) if w[:2] in openings else "" for w in words(row[text] or "")],
            _short_tokens(row[claimant] or ""),
            _short_tokens(row[tags] or ""),
        )
        for row in rows
    ]
    average = [max(sum(len(t[c]) for t in tokenized) / len(rows), 1.0) for c in range(3)]
    scored = []
    for row, fields in zip(rows, tokenized, strict=True):
        score = 0.0
        for piece in query.pieces:
            for c, terms in enumerate(fields):
                tf = _occurrences(piece, terms)
                if tf:
                    norm = K1 * (1 - B + B * len(terms) / average[c])
                    score += COLUMN_WEIGHTS[c] * tf * (K1 + 1) / (tf + norm)
        scored.append((-score, -row[0], row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in scored]
