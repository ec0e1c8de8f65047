"""List one workspace's claims newest first (a search with no words), and the tags it uses.
Mirrors bot/store/sqlite/search.py."""

from __future__ import annotations

from typing import Any

from bot.core.models import SearchPage
from bot.core.ports import ListQuery
from bot.store.keys import workspace_range
from bot.store.postgres.base import PgBase
from bot.store.rows import COUNT_CAP, SUMMARY_COLUMNS, page_of


class ListingQueries(PgBase):
    async def list_claims(self, workspace: str, query: ListQuery) -> SearchPage:
        key = await self._key(workspace)
        if key is None:
            return page_of(query, [], 0)
        lo, hi = workspace_range(key)
        where = ["c.id BETWEEN $1 AND $2"]
        params: list[Any] = [lo, hi]
        if query.status:
            # The workspace's key too: claims_by_status leads with it, and without it the index
            # is searched from its start (20 ms at 1M where the range alone is known).
            params += [key, query.status.value]
            where.append(f"c.workspace_key = ${len(params) - 1} AND c.status = ${len(params)}")
        if query.tag:
            params.append(query.tag)
            where.append(
                f"c.id IN (SELECT t.claim_id FROM claim_tags t WHERE t.tag = ${len(params)}"
                " AND t.claim_id BETWEEN $1 AND $2)"
            )
        body = f"FROM claims c WHERE {' AND '.join(where)}"
        offset = (query.page - 1) * query.page_size
        items = await self._pool.fetch(
            f"SELECT {SUMMARY_COLUMNS} {body} ORDER BY c.id DESC"
            f" LIMIT {int(query.page_size)} OFFSET {int(offset)}",
            *params,
        )
        counted = await self._pool.fetchval(
            f"SELECT count(*) FROM (SELECT 1 {body} LIMIT {COUNT_CAP + 1}) t", *params
        )
        return page_of(query, items, int(counted))

    async def tag_names(self, workspace: str, prefix: str, *, limit: int) -> list[str]:
        key = await self._key(workspace)
        if key is None:
            return []
        lo, hi = workspace_range(key)
        rows = await self._pool.fetch(
            "SELECT DISTINCT tag FROM claim_tags WHERE tag >= $1 AND tag < $2"
            " AND claim_id BETWEEN $3 AND $4 ORDER BY tag LIMIT $5",
            prefix,
            prefix + "\U0010ffff",
            lo,
            hi,
            limit,
        )
        return [str(r[0]) for r in rows]
