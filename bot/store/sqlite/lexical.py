"""Lexical matching on SQLite: FTS5 finds the candidates, ``lexical_ranking`` ranks them.

Words are ORed, so a question with a word the claim lacks still finds it; BM25 with the
workspace's own document frequencies puts the claims that hold the rare words first (see
bot/store/lexical_ranking.py for how candidates are chosen). Each word's matches are counted
within the workspace's rowid range, which FTS5's doclists seek to.

Every word is sent to FTS5 as a quoted string, every operator is written here, explicitly: what a
user types can never be read as FTS5 syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.core.ports import LexicalHit, LexicalQuery
from bot.store.keys import workspace_range
from bot.store.lexical_ranking import (
    COUNT_CAP,
    CommonWords,
    Piece,
    Term,
    best_by_rare_words,
    idf,
    parse,
    pool_for,
    rank,
    rare_terms,
)
from bot.store.sqlite.fts_query import Pairs, expression, quote, uses_pairs
from bot.store.sqlite.search_index import NO_PAIRS, SOURCES_TEXT_OF


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
        parts = [f"({expression(piece, pairs_use)})" for piece in required]
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
    conn: aiosqlite.Connection, where: _Filter, terms: Sequence[Term], common: CommonWords
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
    terms: Sequence[Term],
    counts: Sequence[int],
    idf: Sequence[float],
    pool: int,
) -> list[int]:
    rare = rare_terms(counts)
    if rare:
        # Each rare term's matches, tagged with the term, in one statement.
        selects, params = [], []
        for i in rare:
            sql, p = where.sql(
                f"{i}, f.rowid", quote(terms[i].word), order="f.rowid", limit=COUNT_CAP
            )
            selects.append(f"SELECT * FROM ({sql})")
            params += p
        async with conn.execute(" UNION ALL ".join(selects), params) as cur:
            matches = [(int(r[0]), int(r[1])) for r in await cur.fetchall()]
        return best_by_rare_words(matches, idf, pool)
    common = [quote(terms[i].word) for i, n in enumerate(counts) if n]
    if common:
        found = await _ids(conn, where, " AND ".join(common), pool)
        return found or await _ids(conn, where, " OR ".join(common), pool)
    if not terms and where.match(""):
        return await _ids(conn, where, "", pool)  # phrases or prefixes only
    return []


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
    if pairs_usable and any(uses_pairs(piece) for piece in parsed.required):
        pairs_use = await _pairs_use(conn, workspace_key)
    where = _Filter(workspace_key, query, parsed.required, pairs_use)
    terms = parsed.terms
    counts = await _capped_counts(conn, where, terms, common) if terms else []
    weights = idf(counts, claims_in_workspace)
    ids = await _candidates(conn, where, terms, counts, weights, pool_for(limit))
    if not ids:
        return []
    async with conn.execute(
        "SELECT c.id, c.text, c.claimant, c.tags, (" + SOURCES_TEXT_OF.replace("?", "c.id") + ")"
        f" FROM claims c WHERE c.id IN ({','.join('?' * len(ids))})",
        ids,
    ) as cur:
        rows = [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in await cur.fetchall()
        ]
    return rank(rows, terms, weights, limit)
