"""Lexical matching on PostgreSQL: the claims' tsvectors (words.py) find the candidates,
``lexical_ranking`` ranks them, exactly as on SQLite (see bot/store/lexical_ranking.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.core.ports import LexicalHit, LexicalQuery
from bot.store.keys import workspace_range
from bot.store.lexical_ranking import (
    COUNT_CAP,
    Piece,
    Term,
    best_by_rare_words,
    idf,
    parse,
    pool_for,
    rank,
    rare_terms,
)
from bot.store.postgres.words import SOURCES_TEXT_OF, lexeme, required, tagged, word_key

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn


class _Filter:
    """The conditions every candidate query shares: the workspace, required pieces, status and
    tag. Builds ``WHERE …`` with its parameters, numbered after the caller's own."""

    def __init__(self, workspace_key: int, query: LexicalQuery, pieces: Sequence[Piece]) -> None:
        self.workspace_key = workspace_key
        self.lo, self.hi = workspace_range(workspace_key)
        self.query = query
        asked = [required(workspace_key, piece) for piece in pieces]
        if query.tag:
            asked.append(tagged(workspace_key, query.tag))  # the tag's own lexeme (words.py)
        self._required = " & ".join(asked)

    @property
    def whole_workspace(self) -> bool:
        """No condition narrows the workspace: a word's count is the workspace's own."""
        return not self.query.status and not self.query.tag and not self._required

    @property
    def asks_for_words(self) -> bool:
        """Phrases, prefixes or a tag: enough to list matches with no terms to rank on."""
        return bool(self._required)

    def where(self, params: list[Any], *, ranged: bool = True) -> str:
        """The conditions, numbered after ``params`` (which they extend). ``ranged=False``
        leaves out the workspace's id range, for a query that already asks for one of its
        words: a word's lexeme names its workspace, and the range would make PostgreSQL read
        each match's row (words alone are answered from the index)."""
        parts = ["true"]
        if ranged:
            params += [self.lo, self.hi]
            parts = [f"c.id BETWEEN ${len(params) - 1} AND ${len(params)}"]
        if self._required:
            params.append(self._required)
            parts.append(f"c.words @@ ${len(params)}::tsquery")
        if self.query.status:
            params.append(self.query.status.value)
            parts.append(f"c.status = ${len(params)}")
        return " AND ".join(parts)


async def _capped_counts(conn: Conn, where: _Filter, terms: Sequence[Term]) -> list[int]:
    """How many of the workspace's claims (within the filter) hold each term, up to the cap."""
    if where.whole_workspace:
        # The database keeps every word's count (term_counts): read, not counted.
        lexemes = [word_key(where.workspace_key, t.stem) for t in terms]
        rows = await conn.fetch(
            "SELECT lexeme, claims FROM term_counts WHERE lexeme = ANY($1)", lexemes
        )
        held = {str(r[0]): min(int(r[1]), COUNT_CAP) for r in rows}
        return [held.get(x, 0) for x in lexemes]
    # Within a status, a tag or a phrase, as SQLite counts: each word's matches, up to the cap.
    params: list[Any] = []
    selects = []
    for term in terms:
        params.append(lexeme(where.workspace_key, term.stem))
        word = len(params)
        condition = where.where(params, ranged=False)
        selects.append(
            f"(SELECT count(*) FROM (SELECT 1 FROM claims c WHERE c.words @@ ${word}::tsquery"
            f" AND {condition} LIMIT {COUNT_CAP}) t)"
        )
    row = await conn.fetchrow(f"SELECT {', '.join(selects)}", *params)
    return [int(n) for n in row] if row else [0] * len(terms)


async def _newest(conn: Conn, where: _Filter, words: str | None, limit: int) -> list[int]:
    """The newest claims (within the filter) whose words match ``words``. The planner picks
    the way from the words' statistics: one very common word walks the primary key backwards
    (matches come at once), several together intersect their index entries."""
    params: list[Any] = []
    condition = where.where(params)
    if words:
        params.append(words)
        condition += f" AND c.words @@ ${len(params)}::tsquery"
    rows = await conn.fetch(
        f"SELECT c.id FROM claims c WHERE {condition} ORDER BY c.id DESC LIMIT {int(limit)}",
        *params,
    )
    return [int(r[0]) for r in rows]


async def _candidates(
    conn: Conn,
    where: _Filter,
    terms: Sequence[Term],
    counts: Sequence[int],
    weights: Sequence[float],
    pool: int,
) -> list[int]:
    rare = rare_terms(counts)
    key = where.workspace_key
    if rare:
        params: list[Any] = []
        selects = []
        for i in rare:
            params.append(lexeme(key, terms[i].stem))
            word = len(params)
            condition = where.where(params, ranged=False)
            selects.append(
                f"(SELECT {i}, c.id FROM claims c WHERE c.words @@ ${word}::tsquery"
                f" AND {condition} LIMIT {COUNT_CAP})"
            )
        rows = await conn.fetch(" UNION ALL ".join(selects), *params)
        return best_by_rare_words([(int(r[0]), int(r[1])) for r in rows], weights, pool)
    common = [lexeme(key, terms[i].stem) for i, n in enumerate(counts) if n]
    if common:
        found = await _newest(conn, where, " & ".join(common), pool)
        return found or await _newest(conn, where, " | ".join(common), pool)
    if not terms and where.asks_for_words:
        return await _newest(conn, where, None, pool)  # phrases or prefixes only
    return []


async def lexical_matches(
    conn: Conn,
    workspace_key: int,
    query: LexicalQuery,
    *,
    claims_in_workspace: int,
    limit: int,
) -> list[LexicalHit]:
    parsed = parse(query.text)
    where = _Filter(workspace_key, query, parsed.required)
    terms = parsed.terms
    counts = await _capped_counts(conn, where, terms) if terms else []
    weights = idf(counts, claims_in_workspace)
    ids = await _candidates(conn, where, terms, counts, weights, pool_for(limit))
    if not ids:
        return []
    rows = await conn.fetch(
        "SELECT c.id, c.text, c.claimant, c.tags, "
        + SOURCES_TEXT_OF.format(claim="c.id")
        + " FROM claims c WHERE c.id = ANY($1)",
        ids,
    )
    found = [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]
    return rank(found, terms, weights, limit)
