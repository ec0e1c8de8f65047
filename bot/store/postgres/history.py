"""History: appending to a workspace's hash chain, reading it, and the audit's questions of the
rows. Mirrors bot/store/sqlite/history.py; the hashes are the core's (bot/core/audit.py), so
the same history hashes the same on both stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.core.audit import content_now
from bot.core.errors import NotFound
from bot.core.models import HistoryEntry, Status
from bot.core.ports import StoredContent
from bot.store.changes import Change
from bot.store.keys import pack, workspace_range
from bot.store.postgres.base import PgBase
from bot.store.postgres.outbox import enqueue
from bot.store.rows import (
    CONTENT_COLUMNS,
    CONTENT_SOURCE_COLUMNS,
    HISTORY_COLUMNS,
    history_from,
    history_row,
    stored_contents,
)

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn

_CHUNK = 500


class HistoryQueries(PgBase):
    async def _record(self, conn: Conn, key: int, workspace: str, change: Change) -> HistoryEntry:
        """Write ``change`` inside the caller's transaction: its entry at the end of the
        workspace's hash chain, and its event in the outbox."""
        # FOR UPDATE: another process appending to this workspace waits here, so the chain
        # never forks (two entries with one predecessor).
        row = await conn.fetchrow(
            "SELECT history_seq, history_head FROM workspaces WHERE key = $1 FOR UPDATE", key
        )
        assert row is not None
        entry = change.entry(workspace, int(row[0]) + 1, str(row[1]))
        await conn.execute(
            "INSERT INTO history(id, claim_id, kind, old_status, new_status,"
            " actor_id, actor_name, detail, at, prev_hash, hash, content)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            *history_row(key, entry),
        )
        await conn.execute(
            "UPDATE workspaces SET history_seq = $1, history_head = $2 WHERE key = $3",
            entry.seq,
            entry.hash,
            key,
        )
        await enqueue(conn, workspace_key=key, workspace=workspace, facts=change.event)
        return entry

    async def _content_recorded(self, conn: Conn, packed: int) -> str:
        """The content digest the claim's history last recorded (see the SQLite store's)."""
        recorded = await conn.fetchval(
            "SELECT content FROM history WHERE claim_id = $1 ORDER BY id DESC LIMIT 1", packed
        )
        if recorded:
            return str(recorded)
        async for stored in self._contents(conn, packed, packed):
            return content_now(stored)
        raise NotFound(f"claim {packed & 0xFFFFFFFF}")

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._pool.fetch(
            f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.claim_id = $1 ORDER BY h.id",
            pack(key, claim_id),
        )
        return [history_from(workspace, r) for r in rows]

    async def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return
        after, hi = workspace_range(key)
        while True:  # a page at a time along the primary key: no transaction held open
            rows = await self._pool.fetch(
                f"SELECT {HISTORY_COLUMNS}, h.id FROM history h WHERE h.id > $1 AND h.id <= $2"
                f" ORDER BY h.id LIMIT {_CHUNK}",
                after,
                hi,
            )
            if not rows:
                return
            for r in rows:
                yield history_from(workspace, r)
            after = rows[-1][-1]

    async def recorded_head(self, workspace: str) -> tuple[int, str]:
        row = await self._pool.fetchrow(
            "SELECT history_seq, history_head FROM workspaces WHERE external_id = $1", workspace
        )
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        key = await self._key(workspace)
        if key is None:
            return []
        # The last status-bearing entry of each claim must name the status the claim has now.
        rows = await self._pool.fetch(
            "SELECT number, status, expected FROM (SELECT c.number, c.status, ("
            "  SELECT h.new_status FROM history h WHERE h.claim_id = c.id"
            "  AND h.new_status IS NOT NULL ORDER BY h.id DESC LIMIT 1) AS expected"
            "  FROM claims c WHERE c.workspace_key = $1) t"
            " WHERE status IS DISTINCT FROM expected ORDER BY number LIMIT 50",
            key,
        )
        return [(r[0], Status(r[1]), Status(r[2]) if r[2] else None) for r in rows]

    async def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        key = await self._key(workspace)
        if key is None:
            return
        lo, hi = workspace_range(key)
        async with self._pool.acquire() as conn:
            async for stored in self._contents(conn, lo, hi):
                yield stored

    @staticmethod
    async def _contents(conn: Conn, lo: int, hi: int) -> AsyncIterator[StoredContent]:
        """Claims with ids in [lo, hi] as their rows say now, a chunk at a time."""
        after = lo - 1
        while True:
            claims = await conn.fetch(
                f"SELECT {CONTENT_COLUMNS} FROM claims c WHERE c.id > $1 AND c.id <= $2 ORDER BY c.id LIMIT {_CHUNK}",
                after,
                hi,
            )
            if not claims:
                return
            sources = await conn.fetch(
                f"SELECT {CONTENT_SOURCE_COLUMNS} FROM sources"
                " WHERE claim_id BETWEEN $1 AND $2 ORDER BY claim_id, id",
                claims[0][0],
                claims[-1][0],
            )
            for stored in stored_contents(claims, sources):
                yield stored
            after = claims[-1][0]

    async def claims_missing(self, workspace: str) -> list[int]:
        key = await self._key(workspace)
        if key is None:
            return []
        lo, hi = workspace_range(key)
        rows = await self._pool.fetch(
            "SELECT DISTINCT h.claim_id & 4294967295 FROM history h"
            " WHERE h.id BETWEEN $1 AND $2"
            " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = h.claim_id)"
            " ORDER BY 1 LIMIT 50",
            lo,
            hi,
        )
        return [int(r[0]) for r in rows]
