"""Index and WAL upkeep in the background, off the path of the write that would trigger it.

Left to SQLite, two chores land on whichever write happens to trigger them, and make it the
slow tail of every write's latency (30 ms instead of 2 at a million claims):
- FTS5 merges index segments inside the insert that fills a level (``automerge``);
- SQLite copies the WAL into the database file, and syncs it, inside the COMMIT that pushes the
  WAL past 1,000 pages (``wal_autocheckpoint``).
The store turns both off and this task does them shortly after writes settle: FTS5 merges one
bounded step at a time, each step taking the store's write lock like any write, so a waiting
write waits one step at most; then a PASSIVE checkpoint on a connection of its own, which never
blocks the writer or the readers (WAL mode lets them run side by side).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiosqlite

from bot.store.sqlite import search_index

log = logging.getLogger(__name__)

# Upkeep waits for writes to pause this long, but never longer than the second figure.
SETTLE_SECONDS = 0.2
MAX_DELAY_SECONDS = 1.0
# Merge steps per round at most; writes arriving meanwhile start another round.
MAX_MERGE_STEPS = 100


class Maintenance:
    def __init__(
        self,
        checkpoint_conn: aiosqlite.Connection,
        writer: aiosqlite.Connection,
        write_lock: asyncio.Lock,
    ) -> None:
        self._conn = checkpoint_conn
        self._writer = writer
        self._write_lock = write_lock
        self._written = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="sqlite-maintenance")

    def wrote(self) -> None:
        """Called after each commit: upkeep follows once writes settle."""
        self._written.set()

    async def _run(self) -> None:
        while True:
            await self._settled()
            try:
                await self._merge()
                # After the merges, so that the WAL starts over at the next write.
                await self._checkpoint()
            except aiosqlite.Error:
                # The next write starts another round; meanwhile nothing is lost, only slower.
                log.exception("background index merge or WAL checkpoint failed")

    async def _settled(self) -> None:
        """Once writes pause for SETTLE_SECONDS, or MAX_DELAY_SECONDS after the first of them
        if they never pause (a bulk import)."""
        await self._written.wait()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_DELAY_SECONDS
        while True:
            self._written.clear()
            await asyncio.sleep(SETTLE_SECONDS)
            if not self._written.is_set() or loop.time() >= deadline:
                return

    async def _merge(self) -> None:
        for _ in range(MAX_MERGE_STEPS):
            if self._write_lock.locked():
                # A write, or a bulk import that holds the lock for minutes (and merges as it
                # goes): the checkpoint must not wait for it. The next round merges.
                return
            async with self._write_lock:
                if not await search_index.merge_step(self._writer):
                    return

    async def _checkpoint(self) -> None:
        """Copy the whole WAL into the database, so that the next write starts it over.

        A checkpoint beside a stream of writes never reaches the WAL's end, and SQLite starts
        the WAL over only after one that did: under steady writes the file grew without end
        (48 KB a claim). So most of the WAL is copied beside the writes, then the few frames
        written meanwhile under the write lock (milliseconds). ``journal_size_limit`` (see
        connection.py) then cuts the file back when it starts over.
        """
        await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        async with self._write_lock:
            await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def close(self) -> None:
        """Stop, then fold the whole WAL into the database so the file is complete on its own."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        try:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except aiosqlite.Error as error:
            # Nothing is lost: the WAL stays beside the file and is read at the next start.
            log.warning("could not fold the WAL into the store on close: %s", error)
        await self._conn.close()
