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
    Within,
    candidates_within,
    counts_within,
    idf,
    parse,
    pool_for,
    rank,
    rare_terms,
    weight_units,
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
        self._pieces = " & ".join(f"({r.indexed})" for r in asked if r.indexed)
        self._confirmed = " & ".join(f"({r.confirmed})" for r in asked if r.confirmed)
        # The tag's own lexeme (words.py): one more word for the index.
        self._tag = tagged(workspace_key, query.tag) if query.tag else ""
        self.has_pieces = bool(self._pieces)
        # The words every match holds because a phrase or prefix* asks for them (not the
        # unfinished word of a prefix). Where the filter keeps more than COUNT_CAP claims,
        # each of them is common there: no need to count it, or to ask the index for it.
        self.implied = frozenset(
            s for piece in pieces for s in (piece.terms[:-1] if piece.prefix else piece.terms)
        )

    @property
    def whole_workspace(self) -> bool:
        """No condition narrows the workspace: a word's count is the workspace's own."""
        return not self.query.status and not self._tag and not self._pieces

    @property
    def asks_for_words(self) -> bool:
        """Phrases, prefixes or a tag: enough to list matches with no terms to rank on."""
        return bool(self._pieces or self._tag)

    def where(self, params: list[Any], *, ranged: bool = True, tag: bool = True) -> str:
        """The conditions, numbered after ``params`` (which they extend). ``ranged=False``
        leaves out the workspace's id range, for a query that already asks for one of its
        words: a word's lexeme names its workspace, and the range would make PostgreSQL read
        each match's row (words alone are answered from the index). ``tag=False`` leaves out
        the tag, for a query that joins claim_tags instead."""
        parts = ["true"]
        if ranged:
            params += [self.lo, self.hi]
            parts = [f"c.id BETWEEN ${len(params) - 1} AND ${len(params)}"]
        if self.query.status:
            # With the workspace's key, which claims_by_status leads with (search.py). First:
            # rows a plan reads one by one are tested in this order, and a status is cheaper
            # to test than words (at 1M, counting a common word within a status: 12 -> 9 ms).
            params += [self.workspace_key, self.query.status.value]
            parts.append(f"c.workspace_key = ${len(params) - 1} AND c.status = ${len(params)}")
        indexed = " & ".join(x for x in (self._pieces, self._tag if tag else "") if x)
        if indexed:
            params.append(indexed)
            parts.append(f"c.words @@ ${len(params)}::tsquery")
        if self._confirmed:
            # ts_match_vq is @@ as a function: a condition on each row the index found, which
            # the planner does not hand to the index (see words.Required).
            params.append(self._confirmed)
            parts.append(f"ts_match_vq(c.words, ${len(params)}::tsquery)")
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
    # (Only reached with a phrase when it keeps more than COUNT_CAP claims: its own words are
    # then in COUNT_CAP of them at least.)
    counted = [t for t in terms if t.stem not in where.implied]
    if not counted:
        return [COUNT_CAP] * len(terms)
    params: list[Any] = []
    selects = []
    for term in counted:
        params.append(lexeme(where.workspace_key, term.stem))
        word = len(params)
        condition = where.where(params, ranged=False)
        selects.append(
            f"(SELECT count(*) FROM (SELECT 1 FROM claims c WHERE {condition}"
            f" AND c.words @@ ${word}::tsquery LIMIT {COUNT_CAP}) t)"
        )
    row = await conn.fetchrow(f"SELECT {', '.join(selects)}", *params)
    found = dict(zip((t.stem for t in counted), (int(n) for n in row or ()), strict=False))
    return [COUNT_CAP if t.stem in where.implied else found.get(t.stem, 0) for t in terms]


async def _newest(conn: Conn, where: _Filter, words: str | None, limit: int) -> list[int]:
    """The newest claims (within the filter) whose words match ``words``. Within a tag, its
    claims are walked newest first along claim_tags' index (a common word matches at once;
    GIN would read both postings whole). Otherwise the planner picks the way from the words'
    statistics: one very common word walks the primary key backwards, several together
    intersect their index entries."""
    params: list[Any] = []
    if where.query.tag:
        params += [where.query.tag, where.lo, where.hi]
        source = (
            "claim_tags t JOIN claims c ON c.id = t.claim_id"
            " WHERE t.tag = $1 AND t.claim_id BETWEEN $2 AND $3 AND "
            + where.where(params, ranged=False, tag=False)
        )
        newest = "t.claim_id"
    else:
        source = "claims c WHERE " + where.where(params)
        newest = "c.id"
    if words:
        params.append(words)
        source += f" AND c.words @@ ${len(params)}::tsquery"
    rows = await conn.fetch(
        f"SELECT {newest} FROM {source} ORDER BY {newest} DESC LIMIT {int(limit)}", *params
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
            params += [lexeme(key, terms[i].stem), weight_units(weights[i])]
            word, weight = len(params) - 1, len(params)
            condition = where.where(params, ranged=False)
            selects.append(
                f"(SELECT ${weight}::bigint AS w, c.id FROM claims c"
                f" WHERE {condition} AND c.words @@ ${word}::tsquery LIMIT {COUNT_CAP})"
            )
        # best_by_rare_words on the server: a long message's thousands of matches stay there
        # and only the best ``pool`` come back.
        rows = await conn.fetch(
            f"SELECT id FROM ({' UNION ALL '.join(selects)}) m"
            f" GROUP BY id ORDER BY sum(w) DESC, id DESC LIMIT {int(pool)}",
            *params,
        )
        return [int(r[0]) for r in rows]
    held = [terms[i].stem for i, n in enumerate(counts) if n]
    if held:
        # Words a phrase implies are left out of what the index is asked: every claim within
        # the filter holds them, and GIN would read their (long) postings for nothing.
        asked = [lexeme(key, s) for s in held if s not in where.implied]
        found = await _newest(conn, where, " & ".join(asked) or None, pool)
        if found:
            return found
        if len(asked) < len(held):  # "any of them": an implied word is held by every claim
            return await _newest(conn, where, None, pool)
        return await _newest(conn, where, " | ".join(asked), pool)
    if not terms and where.asks_for_words:
        return await _newest(conn, where, None, pool)  # phrases or prefixes only
    return []


async def _narrow_tag(conn: Conn, where: _Filter) -> bool:
    """Whether the asked tag has at most COUNT_CAP claims (read from claim_tags' index)."""
    if not where.query.tag:
        return False
    held = await conn.fetchval(
        "SELECT count(*) FROM (SELECT 1 FROM claim_tags WHERE tag = $1"
        f" AND claim_id BETWEEN $2 AND $3 LIMIT {COUNT_CAP + 1}) t",
        where.query.tag,
        where.lo,
        where.hi,
    )
    return int(held) <= COUNT_CAP


async def _within(conn: Conn, where: _Filter, terms: Sequence[Term]) -> list[Within] | None:
    """Every claim the filter keeps, with the terms each holds, in one pass over their rows; or
    None when it keeps more than COUNT_CAP (the words are then looked up one by one)."""
    params: list[Any] = []
    held = []
    for term in terms:
        params.append(lexeme(where.workspace_key, term.stem))
        held.append(f", ts_match_vq(c.words, ${len(params)}::tsquery)")
    condition = where.where(params, ranged=False)
    rows = await conn.fetch(
        f"SELECT c.id{''.join(held)} FROM claims c WHERE {condition} LIMIT {COUNT_CAP + 1}",
        *params,
    )
    if len(rows) > COUNT_CAP:
        return None
    return [Within(int(r[0]), tuple(bool(x) for x in list(r)[1:])) for r in rows]


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
    pool = pool_for(limit)
    # A phrase (found by its pairs) or a small tag keeps few claims: one pass over them
    # answers every word's count and the candidates (instead of two lookups per word).
    narrow = where.has_pieces or await _narrow_tag(conn, where)
    within = await _within(conn, where, terms) if narrow else None
    if within is not None:
        counts = counts_within(within, len(terms))
        weights = idf(counts, claims_in_workspace)
        ids = candidates_within(within, counts, weights, pool)
    else:
        counts = await _capped_counts(conn, where, terms) if terms else []
        weights = idf(counts, claims_in_workspace)
        ids = await _candidates(conn, where, terms, counts, weights, pool)
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
