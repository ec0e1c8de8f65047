"""History: appending to a workspace's hash chain, reading it, and the audit's questions of
the rows (does each claim still say what its history recorded?). The hashes are the core's
(bot/core/audit.py), so the same history hashes the same on both stores."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.core.audit import content_now
from bot.core.errors import NotFound
from bot.core.models import HistoryEntry, Status
from bot.core.ports import StoredContent
from bot.store.changes import Change
from bot.store.keys import pack, workspace_range
from bot.store.rows import history_from, history_row, stored_contents
from bot.store.sql import statements as q
from bot.store.sql.base import SqlBase
from bot.store.sql.db import Db
from bot.store.sql.outbox import enqueue

_CHUNK = 500  # rows a page, walking a workspace: no read transaction is held open meanwhile


class HistoryQueries(SqlBase):
    async def _record(self, db: Db, key: int, workspace: str, change: Change) -> HistoryEntry:
        """Write ``change`` inside the caller's transaction: its entry at the end of the
        workspace's hash chain, and its event in the outbox."""
        row = await db.row(q.CHAIN_HEAD, key=key)
        assert row is not None
        entry = change.entry(workspace, int(row[0]) + 1, str(row[1]))
        await db.run(
            q.ADD_HISTORY, **dict(zip(q.HISTORY_ROW, history_row(key, entry), strict=True))
        )
        await db.run(q.MOVE_CHAIN_HEAD, key=key, seq=entry.seq, head=entry.hash)
        await enqueue(
            db, workspace_key=key, workspace=workspace, facts=change.event, direct=change.to
        )
        for facts, told in change.also:
            await enqueue(db, workspace_key=key, workspace=workspace, facts=facts, direct=told)
        return entry

    async def _content_recorded(self, db: Db, packed: int) -> str:
        """The content digest the claim's history last recorded: a change that does not alter
        what the claim says carries it on, and a new source folds into it. Not recomputed from
        the rows, which would launder an edit made outside the bot into the history. A claim
        last changed before digests were kept starts from what its rows say now."""
        recorded = await db.value(q.LAST_CONTENT, claim_id=packed)
        if recorded:
            return str(recorded)
        async for stored in self._contents(db, packed, packed):
            return content_now(stored)
        raise NotFound(f"claim {packed & 0xFFFFFFFF}")

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._reads.rows(q.HISTORY_OF, claim_id=pack(key, claim_id))
        return [history_from(workspace, r) for r in rows]

    async def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return
        after, last = workspace_range(key)
        while rows := await self._reads.rows(q.HISTORY_PAGE, after=after, last=last, limit=_CHUNK):
            for r in rows:
                yield history_from(workspace, r)
            after = rows[-1][-1]

    async def recorded_head(self, workspace: str) -> tuple[int, str]:
        row = await self._reads.row(q.RECORDED_HEAD, workspace=workspace)
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._reads.rows(q.STATUS_MISMATCHES, key=key)
        return [(int(r[0]), Status(r[1]), Status(r[2]) if r[2] else None) for r in rows]

    async def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        key = await self._key(workspace)
        if key is None:
            return
        lo, hi = workspace_range(key)
        async for stored in self._contents(self._reads, lo, hi):
            yield stored

    @staticmethod
    async def _contents(db: Db, lo: int, hi: int) -> AsyncIterator[StoredContent]:
        """Claims with ids in [lo, hi] as their rows say now, a chunk at a time."""
        after = lo - 1
        while claims := await db.rows(q.CONTENTS_PAGE, after=after, last=hi, limit=_CHUNK):
            first, last = claims[0][0], claims[-1][0]
            sources = await db.rows(q.CONTENT_SOURCES, first=first, last=last)
            for stored in stored_contents(claims, sources):
                yield stored
            after = last

    async def claims_missing(self, workspace: str) -> list[int]:
        key = await self._key(workspace)
        if key is None:
            return []
        first, last = workspace_range(key)
        rows = await self._reads.rows(q.CLAIMS_MISSING, first=first, last=last)
        return [int(r[0]) for r in rows]
