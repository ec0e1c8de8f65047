"""List one workspace's claims newest first (a search with no words), and the summary rows
every search result is read from. Text is matched by ``lexical.py`` and the core's matcher."""

from __future__ import annotations

from typing import Any

import aiosqlite

from bot.core.models import SearchPage
from bot.core.ports import ListQuery
from bot.store.keys import workspace_range
from bot.store.rows import COUNT_CAP, SUMMARY_COLUMNS, page_of


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
    return page_of(query, items, int(row[0]) if row else 0)
