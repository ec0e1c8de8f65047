"""History: appending to a workspace's hash chain, reading it, and the audit's questions of
the rows (does each claim still say what its history recorded?)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiosqlite

from bot.core.audit import content_now
from bot.core.errors import NotFound
from bot.core.models import HistoryEntry, Status
from bot.core.ports import StoredContent
from bot.store.changes import Change
from bot.store.keys import pack, workspace_range
from bot.store.rows import (
    CONTENT_COLUMNS,
    CONTENT_SOURCE_COLUMNS,
    HISTORY_COLUMNS,
    history_from,
    history_row,
    stored_contents,
)
from bot.store.sqlite.base import StoreBase
from bot.store.sqlite.outbox import enqueue


class HistoryQueries(StoreBase):
    async def _record(
        self, conn: aiosqlite.Connection, key: int, workspace: str, change: Change
    ) -> HistoryEntry:
        """Write ``change`` inside the caller's transaction: its entry at the end of the
        workspace's hash chain, and its event in the outbox."""
        async with conn.execute(
            "SELECT history_seq, history_head FROM workspaces WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        entry = change.entry(workspace, int(row[0]) + 1, str(row[1]))
        await conn.execute(
            "INSERT INTO history(id, claim_id, kind, old_status, new_status,"
            " actor_id, actor_name, detail, at, prev_hash, hash, content)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            history_row(key, entry),
        )
        await conn.execute(
            "UPDATE workspaces SET history_seq = ?, history_head = ? WHERE key = ?",
            (entry.seq, entry.hash, key),
        )
        await enqueue(conn, workspace_key=key, workspace=workspace, facts=change.event)
        return entry

    async def _content_recorded(self, conn: aiosqlite.Connection, packed: int) -> str:
        """The content digest the claim's history last recorded: a change that does not alter
        what the claim says carries it on, and a new source folds into it. Not recomputed from
        the rows, which would launder an edit made outside the bot into the history. A claim
        last changed before digests were kept starts from what its rows say now."""
        async with conn.execute(
            "SELECT content FROM history WHERE claim_id = ? ORDER BY id DESC LIMIT 1", (packed,)
        ) as cur:
            row = await cur.fetchone()
        if row and row[0]:
            return str(row[0])
        async for stored in self._contents(conn, packed, packed):
            return content_now(stored)
        raise NotFound(f"claim {packed & 0xFFFFFFFF}")

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._reader.execute(
            f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.claim_id = ? ORDER BY h.id",
            (pack(key, claim_id),),
        ) as cur:
            return [history_from(workspace, r) for r in await cur.fetchall()]

    async def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return
        async with self._reader.execute(
            f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.id BETWEEN ? AND ? ORDER BY h.id",
            workspace_range(key),
        ) as cur:
            while rows := await cur.fetchmany(500):
                for r in rows:
                    yield history_from(workspace, r)

    async def recorded_head(self, workspace: str) -> tuple[int, str]:
        async with self._reader.execute(
            "SELECT history_seq, history_head FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        key = await self._key(workspace)
        if key is None:
            return []
        # The last status-bearing entry of each claim must name the status the claim has now.
        async with self._reader.execute(
            "SELECT c.number, c.status, ("
            "  SELECT h.new_status FROM history h WHERE h.claim_id = c.id"
            "  AND h.new_status IS NOT NULL ORDER BY h.id DESC LIMIT 1) AS expected "
            "FROM claims c WHERE c.workspace_key = ? AND c.status IS NOT expected "
            "ORDER BY c.number LIMIT 50",
            (key,),
        ) as cur:
            return [
                (r[0], Status(r[1]), Status(r[2]) if r[2] else None) for r in await cur.fetchall()
            ]

    async def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        key = await self._key(workspace)
        if key is None:
            return
        lo, hi = workspace_range(key)
        async for stored in self._contents(self._reader, lo, hi):
            yield stored

    @staticmethod
    async def _contents(
        conn: aiosqlite.Connection, lo: int, hi: int
    ) -> AsyncIterator[StoredContent]:
        """Claims with ids in [lo, hi] as their rows say now, a chunk at a time."""
        after = lo - 1
        while True:
            async with conn.execute(
                f"SELECT {CONTENT_COLUMNS} FROM claims c WHERE c.id > ? AND c.id <= ? ORDER BY c.id LIMIT 500",
                (after, hi),
            ) as cur:
                claims = list(await cur.fetchall())
            if not claims:
                return
            async with conn.execute(
                f"SELECT {CONTENT_SOURCE_COLUMNS} FROM sources"
                " WHERE claim_id BETWEEN ? AND ? ORDER BY claim_id, id",
                (claims[0][0], claims[-1][0]),
            ) as cur:
                sources = list(await cur.fetchall())
            for stored in stored_contents(claims, sources):
                yield stored
            after = claims[-1][0]

    async def claims_missing(self, workspace: str) -> list[int]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._reader.execute(
            "SELECT DISTINCT h.claim_id & 4294967295 FROM history h"
            " WHERE h.id BETWEEN ? AND ?"
            " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = h.claim_id)"
            " ORDER BY 1 LIMIT 50",
            workspace_range(key),
        ) as cur:
            return [int(r[0]) for r in await cur.fetchall()]
