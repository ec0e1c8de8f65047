"""The store's side of matching that only SQLite has: lexical candidates, the codes held in
memory, the embedding queue (summaries, nearest vectors and saving embeddings are
bot/store/sql/'s)."""

from __future__ import annotations

from bot.core.ports import (
    EmbedJob,
    LexicalHit,
    LexicalQuery,
)
from bot.store.keys import workspace_range
from bot.store.rows import TITLE_SEPARATOR, embed_job_from
from bot.store.sql import matching
from bot.store.sqlite import lexical
from bot.store.sqlite.base import StoreBase
from bot.store.vectors import (
    WorkspaceIndex,
    with_codes,
)

_MODEL_KEY = "vector_model"
_LOAD_BATCH = 20_000


class MatchingQueries(matching.MatchingQueries, StoreBase):
    """Lexical candidates, nearest vectors, and the embedding queue."""

    # ------------------------------------------------------------------ lexical
    async def lexical_matches(
        self, workspace: str, query: LexicalQuery, *, limit: int
    ) -> list[LexicalHit]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._search_budget.limit():
            async with self._searcher.execute(
                "SELECT next_claim - 1 FROM workspaces WHERE key = ?", (key,)
            ) as cur:
                row = await cur.fetchone()
            return await lexical.lexical_matches(
                self._searcher,
                key,
                query,
                claims_in_workspace=int(row[0]) if row else 0,
                limit=limit,
                pairs_usable=self._pairs_usable,
                common=self._common_words,
            )

    # ------------------------------------------------------------------ vectors
    def _held_index(self, key: int) -> WorkspaceIndex | None:
        return self._vector_indexes.get(key)

    async def _vector_index(self, key: int) -> WorkspaceIndex | None:
        async with self._codes_lock:
            if key not in self._vector_indexes:
                index = None
                lo, hi = workspace_range(key)
                async with self._reader.execute(
                    "SELECT claim_id, code FROM claim_vectors WHERE claim_id BETWEEN ? AND ?",
                    (lo, hi),
                ) as cur:
                    while rows := list(await cur.fetchmany(_LOAD_BATCH)):
                        index = with_codes(index, rows)
                if index is None:
                    return None  # nothing embedded yet: looked up again next time
                self._vector_indexes[key] = index
            return self._vector_indexes[key]

    # ---------------------------------------------------------- embedding queue
    async def use_embedding_model(self, model: str) -> bool:
        async with self._transaction() as conn:
            async with conn.execute(
                "SELECT value FROM store_meta WHERE name = ?", (_MODEL_KEY,)
            ) as cur:
                row = await cur.fetchone()
            if row is not None and row[0] == model:
                return False
            await conn.execute(
                "INSERT OR REPLACE INTO store_meta(name, value) VALUES (?, ?)", (_MODEL_KEY, model)
            )
            if row is None:
                return False
            await conn.execute("DELETE FROM claim_vectors")
            await conn.execute(
                "INSERT INTO embedding_queue(claim_id) SELECT id FROM claims WHERE true"
                " ON CONFLICT(claim_id) DO UPDATE SET requested = requested + 1"
            )
        async with self._codes_lock:
            self._vector_indexes.clear()
        return True

    async def embedding_jobs(self, limit: int) -> list[EmbedJob]:
        async with self._reader.execute(
            "SELECT q.claim_id, q.requested, c.text, c.claimant, (SELECT"
            f" coalesce(group_concat(title, char({ord(TITLE_SEPARATOR)})), '') FROM (SELECT"
            " title FROM sources s WHERE s.claim_id = q.claim_id AND title != '' ORDER BY s.id))"
            " FROM embedding_queue q JOIN claims c ON c.id = q.claim_id"
            " ORDER BY q.claim_id LIMIT ?",
            (limit,),
        ) as cur:
            rows = await cur.fetchall()
        return [embed_job_from(r) for r in rows]
