"""The store's side of matching that both stores share: summaries of candidates, the vectors
of the claims nearest to a message, and saving what the embedding worker made. How each loads
and keeps its embedding codes fresh, and how its embedding queue is taken (PostgreSQL leases it
to one process of several), is its own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from bot.core.models import ClaimSummary, Status
from bot.core.ports import EmbeddingCounts, EmbedJob, VectorHit
from bot.store.keys import pack
from bot.store.rows import summary
from bot.store.sql import statements as q
from bot.store.sql.base import SqlBase
from bot.store.vectors import (
    WorkspaceIndex,
    candidates_for,
    encode,
    nearest_of,
    similarities_of,
)


class MatchingQueries(SqlBase):
    _codes_lock: asyncio.Lock  # held while this process's codes are loaded or changed

    async def _vector_index(self, key: int) -> WorkspaceIndex | None:
        """The workspace's embedding codes as this process holds them (None: none yet)."""
        raise NotImplementedError

    def _held_index(self, key: int) -> WorkspaceIndex | None:
        """The workspace's codes if this process has loaded them already (under _codes_lock)."""
        raise NotImplementedError

    async def summaries(self, workspace: str, claim_ids: Sequence[int]) -> list[ClaimSummary]:
        key = await self._key(workspace)
        if key is None or not claim_ids:
            return []
        rows = await self._reads.rows(q.SUMMARIES, ids=[pack(key, n) for n in claim_ids])
        found = {s.id: s for s in map(summary, rows)}
        return [found[n] for n in claim_ids if n in found]

    async def nearest(
        self,
        workspace: str,
        vector: Sequence[float],
        *,
        limit: int,
        status: Status | None = None,
        tag: str | None = None,
    ) -> list[VectorHit]:
        key = await self._key(workspace)
        index = await self._vector_index(key) if key is not None else None
        if index is None or index.size == 0:
            return []
        query = np.asarray(vector, np.float32)
        ids = await candidates_for(index, query, filtered=bool(status or tag))
        rows = await self._reads.rows(
            q.VECTORS_OF[(status is not None, tag is not None)],
            ids=list(ids),
            key=key,
            status=status.value if status else None,
            tag=tag,
        )
        return nearest_of(query, rows, limit)

    async def similarities(
        self, workspace: str, vector: Sequence[float], claim_ids: Sequence[int]
    ) -> dict[int, float]:
        key = await self._key(workspace)
        if key is None or not claim_ids:
            return {}
        rows = await self._reads.rows(q.VECTORS, ids=[pack(key, n) for n in claim_ids])
        return similarities_of(np.asarray(vector, np.float32), rows)

    async def embedding_counts(self) -> EmbeddingCounts:
        row = await self._reads.row(q.EMBEDDING_COUNTS)
        assert row is not None
        return EmbeddingCounts(embedded=int(row[0]), queued=int(row[1]))

    async def save_embeddings(self, done: Sequence[tuple[EmbedJob, Sequence[float]]]) -> None:
        if not done:
            return
        codes, quantized = encode(np.asarray([v for _, v in done], np.float32))
        keys = [job.key for job, _ in done]
        async with self._write() as db:
            await db.run_many(
                q.SAVE_VECTOR,
                [
                    {"claim_id": key, "code": codes[i].tobytes(), "vector": quantized[i].tobytes()}
                    for i, key in enumerate(keys)
                ],
            )
            await db.run_many(
                q.EMBEDDED, [{"claim_id": job.key, "requested": job.requested} for job, _ in done]
            )
        async with self._codes_lock:
            for workspace_key in {k >> 32 for k in keys}:
                index = self._held_index(workspace_key)
                if index is None:
                    continue  # loaded from the table, these rows included, on first use
                mine = [i for i, k in enumerate(keys) if k >> 32 == workspace_key]
                index.upsert([keys[i] for i in mine], codes[mine])
