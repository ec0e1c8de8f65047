"""Lexical matching as both stores do it: what a text's words are, how rare each is, and how a
candidate claim ranks (BM25F over its text, claimant, tags and what its sources say).

A store finds the candidates with its own index (SQLite's FTS5, PostgreSQL's tsvector) and
counts how many claims hold each word; everything else is here, so the same data ranks the same
on either store. Words are folded and stemmed by ``tokens`` exactly as SQLite's FTS5 does.

Why candidates are found as they are (the same on both stores): each word's matches are first
counted, up to a cap, within the workspace. Words under the cap are *rare* and decide the
candidates: their matches (a few hundred ids each) are read, and each claim scores the IDF of the
rare words it holds. Only the best POOL (or fewer, for a query that wants few) of those are read
in full and ranked by BM25F over every query word. Words above the cap (common within the
workspace) weigh little in BM25 and only take part in that final ranking, so no query walks a
common word's whole list of matches. A query of common words only ranks the newest claims that
hold all of them (or, failing that, any).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.core.matching.text import is_stopword
from bot.core.ports import MATCH_PLACES, LexicalHit
from bot.store.tokens import opening, stem, words

# Matches of a word are counted up to this many; a word with more is common in the workspace.
COUNT_CAP = 1000
# Claims read in full and ranked by BM25F (on the training tweets 100 ranked as well as 300 or
# 1,000, at a third of the time); a query that wants fewer results reads twice as many.
POOL = 100


def pool_for(limit: int) -> int:
    return max(limit, min(POOL, 2 * limit))


class CommonWords:
    """The words known to be common in each workspace, so their matches are not counted again.

    Counting a common word walks COUNT_CAP entries of its doclist (a third of a long query's
    time at a million claims). Claims are never deleted, so a word once common stays common:
    nothing here needs to be forgotten for correctness, only to bound the memory.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._known: set[tuple[int, str]] = set()

    def __contains__(self, key: tuple[int, str]) -> bool:
        return key in self._known

    def learn(self, key: tuple[int, str]) -> None:
        if len(self._known) >= self._capacity:
            self._known.clear()  # rare, and only costs the counting again
        self._known.add(key)


# Words looked up at most (a 4,000-character message has hundreds): the longest are kept, as
# longer words tend to be the rarer ones.
MAX_TERMS = 48
# BM25F: per-column weights (text, claimant, tags, source titles), tuned on the CheckThat!
# training tweets (bench/matching.py), and BM25's usual k1 and b.
COLUMN_WEIGHTS = (1.0, 0.5, 0.5, 0.8)
K1, B = 1.2, 0.75

_PIECE = re.compile(r'"([^"]*)"|(\S+)')
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    """One "quoted phrase" or prefix* word as typed, and the stems it is made of: required of
    every match."""

    text: str
    prefix: bool
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    stem: str  # as the store's tokenizer folds and stems it: what ranking compares
    word: str  # as typed (lower case): what is sent to FTS5, which folds it its own way


@dataclass(frozen=True)
class Parsed:
    terms: tuple[Term, ...]
    required: tuple[Piece, ...]  # "quoted phrases" and prefix* words


def parse(text: str) -> Parsed:
    """Plain words become terms to rank on; phrases and prefixes are required of every match."""
    terms: dict[str, Term] = {}
    stopwords: dict[str, Term] = {}
    required: list[Piece] = []
    for match in _PIECE.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            typed = _TOKEN.findall(phrase)
            if typed:
                required.append(Piece(phrase, False, tuple(map(stem, words(phrase)))))
        else:
            prefix = word.endswith("*") and len(word.rstrip("*")) > 0
            bare = word.rstrip("*")
            typed = _TOKEN.findall(bare)
            if not typed:
                continue
            if prefix:
                required.append(Piece(bare, True, tuple(map(stem, words(bare)))))
                typed = typed[:-1]  # the unfinished word is no term to rank on
        for token in typed:
            folded = words(token)
            for w in folded:
                # One typed token may fold into several ("²" → "2"): each is its own term.
                as_typed = token.lower() if len(folded) == 1 else w
                kind = stopwords if is_stopword(w) else terms
                kind.setdefault(stem(w), Term(stem(w), as_typed))
    if not terms:
        terms = stopwords  # "The Who": nothing but stop-words is still something to look for
    kept = sorted(terms.values(), key=lambda t: -len(t.word))[:MAX_TERMS]
    order = {t.stem: i for i, t in enumerate(terms.values())}
    kept.sort(key=lambda t: order[t.stem])
    return Parsed(tuple(kept), tuple(required))


def idf(counts: Sequence[int], claims_in_workspace: int) -> list[float]:
    """Each term's IDF from how many claims hold it (capped). A word no claim holds is the most
    distinctive of all: it weighs fully in ``coverage`` (a claim lacking it lacks something the
    text says), though no claim can score on it."""
    total = max(claims_in_workspace, 1)
    return [math.log(1 + (total - n + 0.5) / (n + 0.5)) for n in counts]


def rare_terms(counts: Sequence[int]) -> list[int]:
    """The positions of the terms that decide the candidates (see the module's docstring)."""
    return [i for i, n in enumerate(counts) if 0 < n < COUNT_CAP]


def weight_units(weight: float) -> int:
    """A term's IDF in millionths: rare words' weights are summed as integers, so that claims
    holding the same words tie exactly (and the newest wins) whichever order, or store, sums
    them."""
    return round(weight * 1_000_000)


def best_by_rare_words(
    matches: Sequence[tuple[int, int]], weights: Sequence[float], pool: int
) -> list[int]:
    """The ``pool`` claims holding the most weight of rare terms, from (term position, claim id)
    pairs; ties go to the newest claim."""
    units = [weight_units(w) for w in weights]
    prescore: dict[int, int] = {}
    for index, claim in matches:
        prescore[claim] = prescore.get(claim, 0) + units[index]
    best = sorted(prescore.items(), key=lambda item: (-item[1], -item[0]))
    return [claim for claim, _ in best[:pool]]


@dataclass(frozen=True)
class Within:
    """A claim that a narrow filter (a phrase, a small tag) keeps, and which of the query's
    terms it holds: read in one pass when the filter keeps at most COUNT_CAP claims."""

    claim_id: int
    holds: tuple[bool, ...]


def counts_within(claims: Sequence[Within], terms: int) -> list[int]:
    return [sum(c.holds[i] for c in claims) for i in range(terms)]


def candidates_within(
    claims: Sequence[Within], counts: Sequence[int], weights: Sequence[float], pool: int
) -> list[int]:
    """The candidates the word-by-word lookups would choose, from claims known in full: by
    their rare words; else the newest holding every common word (or, failing that, any); with
    no words at all, the newest."""
    rare = rare_terms(counts)
    if rare:
        matches = [(i, c.claim_id) for c in claims for i in rare if c.holds[i]]
        return best_by_rare_words(matches, weights, pool)
    newest = sorted(claims, key=lambda c: -c.claim_id)
    if not counts:
        return [c.claim_id for c in newest[:pool]]
    common = [i for i, n in enumerate(counts) if n]
    every = [c.claim_id for c in newest if common and all(c.holds[i] for i in common)]
    some = [c.claim_id for c in newest if any(c.holds[i] for i in common)]
    return (every or some)[:pool]


@dataclass(frozen=True)
class _Column:
    counts: dict[str, int]  # searched terms and how often the column holds them
    length: int  # words, stop-words left out (the query's are not looked up either)


class _Wanted:
    """The stems a query ranks on, and their openings (tokens.opening), which let a word be
    skipped unstemmed: a word that opens differently from every wanted stem cannot stem to
    one. Stemming is most of ranking's time, and most of a claim's words are skipped."""

    def __init__(self, stems: frozenset[str]) -> None:
        self.stems = stems
        self._openings = frozenset(opening(s) for s in stems)

    def may_be(self, word: str) -> bool:
        return opening(word) in self._openings or word[:1] in self._openings


def _read_column(value: str, wanted: _Wanted) -> _Column:
    counts: dict[str, int] = {}
    content = _content_words(value)
    for word in content:
        if wanted.may_be(word):
            s = stem(word)
            if s in wanted.stems:
                counts[s] = counts.get(s, 0) + 1
    return _Column(counts, len(content))


@lru_cache(maxsize=8192)
def _content_words(value: str) -> tuple[str, ...]:
    """A column's words, stop-words left out. Cached: the claims a workspace's questions keep
    finding are read again and again (about 8 MB when full)."""
    return tuple(w for w in words(value) if not is_stopword(w))


def rank(
    rows: Sequence[tuple[int, str, str, str, str]],
    terms: Sequence[Term],
    weights: Sequence[float],
    limit: int,
) -> list[LexicalHit]:
    """BM25F of each candidate (claim id, text, claimant, tags, what its sources say), best
    first; ``weights`` are the terms' IDFs."""
    if not rows:
        return []
    wanted = _Wanted(frozenset(t.stem for t in terms))
    columns = [[_read_column(str(row[c] or ""), wanted) for c in (1, 2, 3, 4)] for row in rows]
    average = [max(sum(col[c].length for col in columns) / len(rows), 1.0) for c in range(4)]
    weight_of = {t.stem: w for t, w in zip(terms, weights, strict=True)}
    word_of = {t.stem: t.word for t in terms}
    order = {t.stem: i for i, t in enumerate(terms)}
    all_weight = sum(weights) or 1.0
    hits = []
    for row, fields in zip(rows, columns, strict=True):
        # BM25F: each column's counts, weighted and length-normalised, summed per term; only
        # the terms a column holds are visited (this loop is most of a query's Python time).
        tf: dict[str, float] = {}
        for c, field in enumerate(fields):
            if field.counts:
                norm = COLUMN_WEIGHTS[c] / (1 - B + B * field.length / average[c])
                for term_stem, n in field.counts.items():
                    tf[term_stem] = tf.get(term_stem, 0.0) + n * norm
        held = sorted(tf, key=order.__getitem__)
        text = fields[0]
        hits.append(
            LexicalHit(
                claim_id=int(row[0]) & 0xFFFFFFFF,
                score=sum(weight_of[t] * f / (K1 + f) for t, f in tf.items()),
                matched=tuple(word_of[t] for t in held),
                coverage=sum(weight_of[t] for t in held) / all_weight,
                all_matched=len(held) == len(terms),
                text_coverage=sum(weight_of[t] for t in text.counts) / all_weight,
                claim_share=min(sum(text.counts.values()) / text.length, 1.0)
                if text.length
                else 0.0,
                found_in=tuple(
                    (place, tuple(word_of[t] for t in sorted(field.counts, key=order.__getitem__)))
                    for place, field in zip(MATCH_PLACES, fields, strict=True)
                    if field.counts
                ),
            )
        )
    hits.sort(key=lambda h: (-h.score, -h.claim_id))
    return hits[:limit]
