"""Search one workspace's claims: ranked text matches, or a newest-first listing.

A text search looks at the newest COUNT_CAP + 1 matches at most: up to the cap every match is
ranked, above it the newest COUNT_CAP are, and the reply says so. FTS5 finds them by walking
the doclists newest-first within the workspace's rowid range; ranking them is ranking.py's,
because FTS5's own bm25() would first walk each word's whole doclist, over every workspace in
the file, to compute its IDF (see ranking.py).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import ClaimSummary, SearchPage, Status
from bot.core.ports import SearchQuery
from bot.store.sqlite import fts_query, ranking
from bot.store.sqlite.fts_query import Pairs
from bot.store.sqlite.keys import workspace_range
from bot.store.sqlite.search_index import NO_PAIRS

# Matches are counted up to this many; a text search with more ranks only the newest this many.
COUNT_CAP = 1000

SUMMARY_COLUMNS = "c.number, c.text, c.claimant, c.status, c.source_count, c.tags, c.created_at"
_RANKED_COLUMNS = (1, 2, 5)  # text, claimant, tags within SUMMARY_COLUMNS


def tag_list(value: str) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


def summary(row: sqlite3.Row | tuple[Any, ...]) -> ClaimSummary:
    return ClaimSummary(
        id=row[0],
        text=row[1],
        claimant=row[2],
        status=Status(row[3]),
        source_count=row[4],
        tags=tag_list(row[5]),
        created_at=datetime.fromisoformat(row[6]),
    )


def _page(query: SearchQuery, items: list[tuple[Any, ...]], counted: int) -> SearchPage:
    """The page of ``items`` asked for; ``counted`` is the matches counted, up to the cap and one
    more, so that one past the cap says "more than" (and, for text, that only the newest were
    ranked)."""
    capped = counted > COUNT_CAP
    return SearchPage(
        items=tuple(summary(r) for r in items),
        page=query.page,
        page_size=query.page_size,
        total=min(counted, COUNT_CAP),
        total_is_capped=capped,
        ranked_within=COUNT_CAP if capped and query.text else None,
    )


async def search_workspace(
    conn: aiosqlite.Connection, workspace_key: int, query: SearchQuery, *, use_pairs: bool
) -> SearchPage:
    if query.text:
        return await _text_search(conn, workspace_key, query, use_pairs=use_pairs)
    return await _listing(conn, workspace_key, query)


async def _text_search(
    conn: aiosqlite.Connection, workspace_key: int, query: SearchQuery, *, use_pairs: bool
) -> SearchPage:
    text_query = fts_query.parse(query.text)
    lo, hi = workspace_range(workspace_key)
    pairs_use = Pairs.OFF
    if use_pairs and text_query.uses_pairs:
        # Looking for the plain phrase among unpaired claims costs a walk over its words'
        # doclists: skipped when the workspace has no such claim.
        async with conn.execute(
            "SELECT EXISTS (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ?"
            " AND rowid BETWEEN ? AND ?)",
            (f'pairs : "{NO_PAIRS}"', lo, hi),
        ) as cur:
            row = await cur.fetchone()
        pairs_use = Pairs.SOME_UNPAIRED if row and row[0] else Pairs.ALL_PAIRED
    match = text_query.expression(tag=query.tag, pairs_use=pairs_use)
    ids, found = await _newest_matches(conn, match, query, lo, hi)
    rows: list[tuple[Any, ...]] = []
    if ids:
        async with conn.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM claims c WHERE c.id IN ({','.join('?' * len(ids))})",
            ids,
        ) as cur:
            rows = [tuple(r) for r in await cur.fetchall()]
    ranked = ranking.rank(rows, text_query, columns=_RANKED_COLUMNS)
    offset = (query.page - 1) * query.page_size
    return _page(query, ranked[offset : offset + query.page_size], found)


async def _newest_matches(
    conn: aiosqlite.Connection, match: str, query: SearchQuery, lo: int, hi: int
) -> tuple[list[int], int]:
    """The ids of the newest COUNT_CAP matches, and how many matches there are (up to the cap
    and one more). FTS5 walks the doclists newest-first and stops there; ids only, so a
    common word costs a walk over 1,001 ids, not a read of 1,001 claims."""
    joined = query.status is not None or query.tag is not None
    sql = (
        "SELECT f.rowid FROM claims_fts f"
        + (" JOIN claims c ON c.id = f.rowid" if joined else "")
        + " WHERE claims_fts MATCH ? AND f.rowid BETWEEN ? AND ?"
        + (" AND c.status = ?" if query.status else "")
        # The exact tag: FTS5 matched its words, which two other tags could also hold.
        + (" AND instr(' ' || c.tags || ' ', ' ' || ? || ' ')" if query.tag else "")
        + f" ORDER BY f.rowid DESC LIMIT {COUNT_CAP + 1}"
    )
    params: list[Any] = [match, lo, hi]
    if query.status:
        params.append(query.status.value)
    if query.tag:
        params.append(query.tag)
    async with conn.execute(sql, params) as cur:
        ids = [r[0] for r in await cur.fetchall()]
    return ids[:COUNT_CAP], len(ids)


async def _listing(
    conn: aiosqlite.Connection, workspace_key: int, query: SearchQuery
) -> SearchPage:
    lo, hi = workspace_range(workspace_key)
    where = ["c.id BETWEEN ? AND ?"]
    params: list[Any] = [lo, hi]
    if query.status:
        where.append("c.status = ?")
        params.append(query.status.value)
    if query.tag:
        where.append(
            "c.id IN (SELECT t.claim_id FROM claim_tags t WHERE t.tag = ?"
            " AND t.claim_id BETWEEN ? AND ?)"
        )
        params += [query.tag, lo, hi]
    body = f"FROM claims c WHERE {' AND '.join(where)}"
    offset = (query.page - 1) * query.page_size
    async with conn.execute(
        f"SELECT {SUMMARY_COLUMNS} {body} ORDER BY c.id DESC LIMIT ? OFFSET ?",
        [*params, query.page_size, offset],
    ) as cur:
        items = [tuple(r) for r in await cur.fetchall()]
    async with conn.execute(
        f"SELECT count(*) FROM (SELECT 1 {body} LIMIT {COUNT_CAP + 1})", params
    ) as cur:
        row = await cur.fetchone()
    return _page(query, items, int(row[0]) if row else 0)
