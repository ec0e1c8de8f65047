"""Lexical matching: claims holding any of the query's words, ranked by BM25.

Words are ORed, so a question with a word the claim lacks still finds it; BM25 with the
workspace's own document frequencies puts the claims that hold the rare words first.

How it stays fast on a million claims: each word's matches are first counted, up to a cap, within
the workspace's rowid range. Words under the cap are *rare* and decide the candidates: their
matches (a few hundred ids each) are read, and each claim scores the IDF of the rare words it
holds. Only the best POOL (or fewer, for a query that wants few) of those are read in full and ranked by BM25F over every query word.
Words above the cap (common within the workspace) weigh little in BM25 and only take part in
that final ranking, so no query walks a common word's whole doclist. A query of common words
only ranks the newest claims that hold all of them (or, failing that, any), as the plain search
did.

Every word is sent to FTS5 as a quoted string, every operator is written here, explicitly: what a
user types can never be read as FTS5 syntax.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import aiosqlite

from bot.core.matching.text import is_stopword
from bot.core.ports import LexicalHit, LexicalQuery
from bot.store.sqlite.fts_query import Pairs, Piece, quote
from bot.store.sqlite.keys import workspace_range
from bot.store.sqlite.search_index import NO_PAIRS, SOURCES_TEXT_OF
from bot.store.sqlite.tokens import stem, words

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
class _Term:
    stem: str  # as the store's tokenizer folds and stems it: what ranking compares
    word: str  # as typed (lower case): what is sent to FTS5, which folds it its own way


@dataclass(frozen=True)
class _Parsed:
    terms: tuple[_Term, ...]
    required: tuple[Piece, ...]  # "quoted phrases" and prefix* words


def parse(text: str) -> _Parsed:
    """Plain words become terms to rank on; phrases and prefixes are required of every match."""
    terms: dict[str, _Term] = {}
    stopwords: dict[str, _Term] = {}
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
                kind.setdefault(stem(w), _Term(stem(w), as_typed))
    if not terms:
        terms = stopwords  # "The Who": nothing but stop-words is still something to look for
    kept = sorted(terms.values(), key=lambda t: -len(t.word))[:MAX_TERMS]
    order = {t.stem: i for i, t in enumerate(terms.values())}
    kept.sort(key=lambda t: order[t.stem])
    return _Parsed(tuple(kept), tuple(required))


class _Filter:
    """The conditions every candidate query shares: workspace range, required pieces, status,
    tag. Builds ``MATCH ? AND rowid BETWEEN ? AND ? …`` with its parameters."""

    def __init__(
        self,
        workspace_key: int,
        query: LexicalQuery,
        required: Sequence[Piece],
        pairs_use: Pairs,
    ) -> None:
        self.workspace_key = workspace_key
        self.lo, self.hi = workspace_range(workspace_key)
        self.query = query
        parts = [f"({piece.expression(pairs_use)})" for piece in required]
        if query.tag:
            parts.append(f"tags : {quote(query.tag)}")
        self._required = " AND ".join(parts)

    @property
    def joined(self) -> bool:
        return self.query.status is not None or self.query.tag is not None

    @property
    def whole_workspace(self) -> bool:
        """No condition narrows the workspace: a word's count is the workspace's own."""
        return not self.joined and not self._required

    def match(self, expression: str) -> str:
        if not expression:
            return self._required
        return f"({expression}) AND {self._required}" if self._required else expression

    def sql(
        self, columns: str, expression: str, *, order: str, limit: int
    ) -> tuple[str, list[Any]]:
        sql = (
            f"SELECT {columns} FROM claims_fts f"
            + (" JOIN claims c ON c.id = f.rowid" if self.joined else "")
            + " WHERE claims_fts MATCH ? AND f.rowid BETWEEN ? AND ?"
            + (" AND c.status = ?" if self.query.status else "")
            # FTS5 matched the tag's words, which two other tags could also hold.
            + (" AND instr(' ' || c.tags || ' ', ' ' || ? || ' ')" if self.query.tag else "")
            + f" ORDER BY {order} LIMIT {limit}"
        )
        params: list[Any] = [self.match(expression), self.lo, self.hi]
        if self.query.status:
            params.append(self.query.status.value)
        if self.query.tag:
            params.append(self.query.tag)
        return sql, params


async def _pairs_use(conn: aiosqlite.Connection, workspace_key: int) -> Pairs:
    """Whether a phrase must also be looked for as a plain phrase: only where some claim of the
    workspace has no word pairs (see search_index.py), which a walk would cost to find out."""
    lo, hi = workspace_range(workspace_key)
    async with conn.execute(
        "SELECT EXISTS (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ?"
        " AND rowid BETWEEN ? AND ?)",
        (f"pairs : {quote(NO_PAIRS)}", lo, hi),
    ) as cur:
        row = await cur.fetchone()
    return Pairs.SOME_UNPAIRED if row and row[0] else Pairs.ALL_PAIRED


async def _capped_counts(
    conn: aiosqlite.Connection, where: _Filter, terms: Sequence[_Term], common: CommonWords
) -> list[int]:
    """How many of the workspace's claims (within the filter) hold each term, up to the cap.

    One statement for all the terms: a round trip through aiosqlite's thread costs about as
    much as counting a rare word. Words known to be common in the workspace are not counted.
    """
    remembered = where.whole_workspace
    known = [remembered and (where.workspace_key, t.word) in common for t in terms]
    counts = [COUNT_CAP if k else 0 for k in known]
    counted = [i for i, k in enumerate(known) if not k]
    if not counted:
        return counts
    selects, params = [], []
    for i in counted:
        sql, p = where.sql("1", quote(terms[i].word), order="f.rowid DESC", limit=COUNT_CAP)
        selects.append(f"(SELECT count(*) FROM ({sql}))")
        params += p
    async with conn.execute(f"SELECT {', '.join(selects)}", params) as cur:
        row = await cur.fetchone()
    for i, n in zip(counted, row or [0] * len(counted), strict=True):
        counts[i] = int(n)
        if remembered and counts[i] >= COUNT_CAP:
            common.learn((where.workspace_key, terms[i].word))
    return counts


async def _ids(
    conn: aiosqlite.Connection, where: _Filter, expression: str, limit: int
) -> list[int]:
    sql, params = where.sql("f.rowid", expression, order="f.rowid DESC", limit=limit)
    async with conn.execute(sql, params) as cur:
        return [int(r[0]) for r in await cur.fetchall()]


async def _candidates(
    conn: aiosqlite.Connection,
    where: _Filter,
    terms: Sequence[_Term],
    counts: Sequence[int],
    idf: Sequence[float],
    pool: int,
) -> list[int]:
    rare = [i for i, n in enumerate(counts) if 0 < n < COUNT_CAP]
    if rare:
        # Each rare term's matches, tagged with the term, in one statement.
        selects, params = [], []
        for i in rare:
            sql, p = where.sql(
                f"{i}, f.rowid", quote(terms[i].word), order="f.rowid", limit=COUNT_CAP
            )
            selects.append(f"SELECT * FROM ({sql})")
            params += p
        prescore: dict[int, float] = {}
        async with conn.execute(" UNION ALL ".join(selects), params) as cur:
            for index, rowid in await cur.fetchall():
                prescore[rowid] = prescore.get(rowid, 0.0) + idf[index]
        best = sorted(prescore.items(), key=lambda item: (-item[1], -item[0]))
        return [rowid for rowid, _ in best[:pool]]
    common = [quote(terms[i].word) for i, n in enumerate(counts) if n]
    if common:
        found = await _ids(conn, where, " AND ".join(common), pool)
        return found or await _ids(conn, where, " OR ".join(common), pool)
    if not terms and where.match(""):
        return await _ids(conn, where, "", pool)  # phrases or prefixes only
    return []


@dataclass(frozen=True)
class _Column:
    counts: dict[str, int]  # searched terms and how often the column holds them
    length: int  # words, stop-words left out (the query's are not looked up either)


def _read_column(value: str, wanted: frozenset[str]) -> _Column:
    counts: dict[str, int] = {}
    stems = _content_stems(value)
    for s in stems:
        if s in wanted:
            counts[s] = counts.get(s, 0) + 1
    return _Column(counts, len(stems))


@lru_cache(maxsize=8192)
def _content_stems(value: str) -> tuple[str, ...]:
    """A column's words as stems, stop-words left out. Cached: the claims a workspace's
    questions keep finding are read again and again (about 8 MB when full)."""
    return tuple(stem(w) for w in words(value) if not is_stopword(w))


async def lexical_matches(
    conn: aiosqlite.Connection,
    workspace_key: int,
    query: LexicalQuery,
    *,
    claims_in_workspace: int,
    limit: int,
    pairs_usable: bool,
    common: CommonWords,
) -> list[LexicalHit]:
    parsed = parse(query.text)
    pairs_use = Pairs.OFF
    if pairs_usable and any(piece.uses_pairs for piece in parsed.required):
        pairs_use = await _pairs_use(conn, workspace_key)
    where = _Filter(workspace_key, query, parsed.required, pairs_use)
    terms = parsed.terms
    counts = await _capped_counts(conn, where, terms, common) if terms else []
    total = max(claims_in_workspace, 1)
    # A word no claim holds is the most distinctive of all: it weighs fully in ``coverage``
    # (a claim lacking it lacks something the text says), though no claim can score on it.
    idf = [math.log(1 + (total - n + 0.5) / (n + 0.5)) for n in counts]
    ids = await _candidates(conn, where, terms, counts, idf, pool_for(limit))
    if not ids:
        return []
    async with conn.execute(
        "SELECT c.id, c.text, c.claimant, c.tags, (" + SOURCES_TEXT_OF.replace("?", "c.id") + ")"
        f" FROM claims c WHERE c.id IN ({','.join('?' * len(ids))})",
        ids,
    ) as cur:
        rows = [tuple(r) for r in await cur.fetchall()]
    wanted = frozenset(t.stem for t in terms)
    columns = [[_read_column(str(row[c] or ""), wanted) for c in (1, 2, 3, 4)] for row in rows]
    average = [max(sum(col[c].length for col in columns) / len(rows), 1.0) for c in range(4)]
    weight_of = {t.stem: w for t, w in zip(terms, idf, strict=True)}
    word_of = {t.stem: t.word for t in terms}
    order = {t.stem: i for i, t in enumerate(terms)}
    all_weight = sum(idf) or 1.0
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
        hits.append(
            LexicalHit(
                claim_id=int(row[0]) & 0xFFFFFFFF,
                score=sum(weight_of[t] * f / (K1 + f) for t, f in tf.items()),
                matched=tuple(word_of[t] for t in held),
                coverage=sum(weight_of[t] for t in held) / all_weight,
                all_matched=len(held) == len(terms),
                text_coverage=sum(weight_of[t] for t in fields[0].counts) / all_weight,
            )
        )
    hits.sort(key=lambda h: (-h.score, -h.claim_id))
    return hits[:limit]
