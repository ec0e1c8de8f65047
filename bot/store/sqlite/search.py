"""List one workspace's claims newest first (a search with no words), and the summary rows
every search result is read from. Text is matched by ``lexical.py`` and the core's matcher."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.models import ClaimSummary, SearchPage, Status
from bot.core.ports import ListQuery
from bot.store.sqlite.keys import workspace_range

# Claims are counted up to this many (and one more, to say "1000+").
COUNT_CAP = 1000

SUMMARY_COLUMNS = "c.number, c.text, c.claimant, c.status, c.source_count, c.tags, c.created_at"


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


def _page(query: ListQuery, items: list[tuple[Any, ...]], counted: int) -> SearchPage:
    """The page of ``items`` asked for; ``counted`` is the claims counted, up to the cap and one
    more, so that one past the cap says "more than"."""
    capped = counted > COUNT_CAP
    return SearchPage(
        items=tuple(summary(r) for r in items),
        page=query.page,
        page_size=query.page_size,
        total=min(counted, COUNT_CAP),
        total_is_capped=capped,
    )


async def list_workspace(
    conn: aiosqlite.Connection, workspace_key: int, query: ListQuery
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
