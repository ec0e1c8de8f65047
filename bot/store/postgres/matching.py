"""The store's side of matching that only PostgreSQL has: lexical candidates, the codes this
process holds, the leased embedding queue (summaries, nearest vectors and saving embeddings are
bot/store/sql/'s).

Vectors are searched as on SQLite (bot/store/sqlite/vectors.py): a workspace's sign-bit codes in
memory, scanned by Hamming distance, the nearest re-ranked by the cosine of their int8 vectors.
The same data gives the same neighbours on both stores, and it runs on any PostgreSQL (pgvector
is not needed; its HNSW index cannot keep to one workspace among a thousand without losing
neighbours before version 0.8). With several processes, each one's codes are kept fresh by
reading, before a scan, the vectors written by transactions it has not seen yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg

from bot.core.errors import InvalidInput
from bot.core.ports import EmbedJob, LexicalHit, LexicalQuery
from bot.store import search_limits
from bot.store.keys import workspace_range
from bot.store.postgres import lexical
from bot.store.postgres.base import HeldCodes, PgBase
from bot.store.rows import TITLE_SEPARATOR, embed_job_from
from bot.store.sql import matching
from bot.store.vectors import (
    WorkspaceIndex,
    with_codes,
)

_MODEL_KEY = "vector_model"
_LOAD_BATCH = 20_000
# How long a process may take to embed the batch it took (a batch takes seconds).
EMBED_LEASE = timedelta(minutes=5)


class MatchingQueries(matching.MatchingQueries, PgBase):
    """Lexical candidates, nearest vectors, and the embedding queue."""

    # ------------------------------------------------------------------ lexical
    async def lexical_matches(
        self, workspace: str, query: LexicalQuery, *, limit: int
    ) -> list[LexicalHit]:
        key = await self._key(workspace)
        if key is None:
            return []
        # A search past its budget is cancelled by the server (search_limits.py).
        budget_ms = max(1, int(search_limits.SEARCH_SECONDS * 1000))
        try:
            async with self._pool.acquire() as conn, conn.transaction(readonly=True):
                await conn.execute(f"SET LOCAL statement_timeout = {budget_ms}")
                claims = await conn.fetchval(
                    "SELECT next_claim - 1 FROM workspaces WHERE key = $1", key
                )
                return await lexical.lexical_matches(
                    conn,
                    key,
                    query,
                    claims_in_workspace=int(claims or 0),
                    limit=limit,
                )
        except asyncpg.QueryCanceledError:
            raise InvalidInput(search_limits.TOO_BROAD) from None

    # ------------------------------------------------------------------ vectors
    def _held_index(self, key: int) -> WorkspaceIndex | None:
        held = self._codes.get(key)
        return held.index if held else None

    async def _vector_index(self, key: int) -> WorkspaceIndex | None:
        lo, hi = workspace_range(key)
        async with self._codes_lock:
            held = self._codes.get(key)
            async with self._pool.acquire() as conn, conn.transaction(readonly=True):
                # The horizon is read in the same snapshot as the rows: any transaction below
                # it is in this snapshot or never committed, so none is missed next time.
                horizon = int(
                    await conn.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
                )
                index = held.index if held else None
                if held is None:  # first use: the workspace's codes, along the primary key
                    sql = (
                        "SELECT claim_id, code FROM claim_vectors"
                        " WHERE claim_id BETWEEN $1 AND $2 ORDER BY claim_id"
                    )
                    args: tuple[Any, ...] = (lo, hi)
                else:  # since: what was written since, along written_by's index
                    sql = (
                        "SELECT claim_id, code FROM claim_vectors WHERE written_by >= $3::text::xid8"
                        " AND claim_id BETWEEN $1 AND $2 ORDER BY written_by"
                    )
                    args = (lo, hi, str(held.horizon))
                async for rows in _batches(conn, sql, *args):
                    index = with_codes(index, rows)
            if index is None:
                return None  # nothing embedded yet: looked up again next time
            self._codes[key] = HeldCodes(index, horizon)
            return index

    # ---------------------------------------------------------- embedding queue
    async def use_embedding_model(self, model: str) -> bool:
        async with self._transaction() as conn:
            # Locked: of several processes starting with a new model, one clears the vectors.
            await conn.execute("LOCK TABLE store_meta IN EXCLUSIVE MODE")
            before = await conn.fetchval("SELECT value FROM store_meta WHERE name = $1", _MODEL_KEY)
            if before == model:
                return False
            await conn.execute(
                "INSERT INTO store_meta(name, value) VALUES ($1, $2)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                _MODEL_KEY,
                model,
            )
            if before is None:
                return False
            await conn.execute("DELETE FROM claim_vectors")
            await conn.execute(
                "INSERT INTO embedding_queue(claim_id) SELECT id FROM claims ON CONFLICT (claim_id)"
                " DO UPDATE SET requested = embedding_queue.requested + 1,"
                " leased_until = '-infinity'"
            )
        async with self._codes_lock:
            self._codes.clear()
        return True

    async def embedding_jobs(self, limit: int) -> list[EmbedJob]:
        """Up to ``limit`` queued claims, leased to this process for EMBED_LEASE: the others
        take the next ones (a back-fill is shared, never done twice); a lease whose process
        died runs out and its claims are taken again."""
        rows = await self._pool.fetch(
            "WITH taken AS (SELECT claim_id FROM embedding_queue WHERE leased_until < now()"
            " ORDER BY claim_id LIMIT $1 FOR UPDATE SKIP LOCKED),"
            " leased AS (UPDATE embedding_queue q SET leased_until = now() + $2::interval"
            " FROM taken WHERE q.claim_id = taken.claim_id RETURNING q.claim_id, q.requested)"
            " SELECT l.claim_id, l.requested, c.text, c.claimant, (SELECT"
            f" coalesce(string_agg(s.title, chr({ord(TITLE_SEPARATOR)}) ORDER BY s.id), '')"
            " FROM sources s WHERE s.claim_id = l.claim_id AND s.title <> '')"
            " FROM leased l JOIN claims c ON c.id = l.claim_id ORDER BY l.claim_id",
            limit,
            EMBED_LEASE,
        )
        return [embed_job_from(r) for r in rows]


async def _batches(conn: Any, sql: str, *params: Any) -> Any:
    """The rows of ``sql`` a batch at a time, through a cursor (inside a transaction)."""
    cursor = await conn.cursor(sql, *params)
    while rows := await cursor.fetch(_LOAD_BATCH):
        yield rows
