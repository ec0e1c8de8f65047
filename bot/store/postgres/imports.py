"""Bulk import of an archive: a transaction per batch, the rows and the history chain computed
by bot/store/bulk_rows.py exactly as for SQLite. Mirrors bot/store/sqlite/imports.py.

Each batch locks the workspace's row, so an import and the bot's own changes (from this
process or another) interleave batch by batch without forking the hash chain.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from bot.core.ports import ImportedClaim
from bot.store import bulk_rows
from bot.store.postgres.base import PgBase
from bot.store.postgres.words import document

_INSERTS: tuple[tuple[str, str], ...] = (
    (
        "claims",
        "INSERT INTO claims(id, workspace_key, number, text, claimant, claimed_on, status, version,"
        " tags, source_count, created_by_id, created_by_name, created_at, updated_at, seed_key,"
        " words) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
        " $16::tsvector)",
    ),
    ("tags", "INSERT INTO claim_tags(tag, claim_id) VALUES ($1, $2)"),
    (
        "sources",
        "INSERT INTO sources(claim_id, url, title, outlet, stance, note, added_by_id,"
        " added_by_name, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    ),
    (
        "history",
        "INSERT INTO history(id, claim_id, kind, old_status, new_status, actor_id,"
        " actor_name, detail, at, prev_hash, hash, content)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    ),
)


def _index_row(packed: int, text: str, claimant: str, tags: str, said: str) -> str:
    return document(packed >> 32, text, claimant, tags, said)


class BulkQueries(PgBase):
    async def bulk_import(
        self,
        workspace: str,
        claims: Iterable[ImportedClaim],
        *,
        at: datetime,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Import an archive, one transaction per batch; returns claims imported (``progress``
        hears the running total). Notifications are not raised for archived claims: they are
        history, not news."""
        async with self._transaction() as conn:
            key = await self._ensure_key(self._db(conn), workspace, at)
        self._remember(workspace, key)
        done = 0
        items = iter(claims)
        while batch := list(itertools.islice(items, batch_size)):
            async with self._transaction() as conn:
                row = await conn.fetchrow(
                    "SELECT next_claim, history_seq, history_head FROM workspaces"
                    " WHERE key = $1 FOR UPDATE",
                    key,
                )
                assert row is not None
                # A seeded claim another process stored meanwhile is left out (processes
                # starting at once on a new store each seed the console's workspace).
                seeded = [c.seed_key for c in batch if c.seed_key is not None]
                if seeded:
                    present = {
                        r[0]
                        for r in await conn.fetch(
                            "SELECT seed_key FROM claims WHERE workspace_key = $1"
                            " AND seed_key = ANY($2::text[])",
                            key,
                            seeded,
                        )
                    }
                    batch = [c for c in batch if c.seed_key is None or c.seed_key not in present]
                    if not batch:
                        continue
                state = bulk_rows.ChainState(int(row[0]), int(row[1]), str(row[2]))
                rows = bulk_rows.prepare(state, key, workspace, batch, _index_row)
                for field, sql in _INSERTS:
                    values: list[tuple[Any, ...]] = getattr(rows, field)
                    if field == "claims":
                        values = [
                            (*c, words) for c, words in zip(values, rows.index_rows, strict=True)
                        ]
                    await conn.executemany(sql, values)
                await conn.execute(
                    "UPDATE workspaces SET next_claim = $1, history_seq = $2, history_head = $3"
                    " WHERE key = $4",
                    rows.chain.next_claim,
                    rows.chain.seq,
                    rows.chain.head,
                    key,
                )
                # Imported claims are embedded in the background, like added ones.
                await conn.execute(
                    "INSERT INTO embedding_queue(claim_id) SELECT id FROM claims"
                    " WHERE id BETWEEN $1 AND $2 ON CONFLICT DO NOTHING",
                    rows.claims[0][0],
                    rows.claims[-1][0],
                )
            done += len(batch)
            if progress:
                progress(done)
        return done
