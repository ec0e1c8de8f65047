"""Bulk import of an archive into the store: a transaction per batch, the history chain
computed in one pass (bulk.py), a child process writing while this one prepares the next
batch (bulk_writer.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from bot.core.ports import ImportedClaim
from bot.store.sqlite import bulk
from bot.store.sqlite.base import StoreBase
from bot.store.sqlite.bulk_writer import BatchWriter


def _batches(items: Iterable[ImportedClaim], size: int) -> Iterator[list[ImportedClaim]]:
    batch: list[ImportedClaim] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class BulkQueries(StoreBase):
    async def bulk_import(
        self,
        workspace: str,
        claims: Iterable[ImportedClaim],
        *,
        at: datetime,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Import an archive, one transaction per batch; returns claims imported.

        The write lock is held throughout (the history chain must not interleave with other
        writes), but each batch commits on its own, so readers and a crash lose at most one
        batch. An import of several batches is written by a child process while this one
        prepares the next batch (see bulk_writer.py); a single batch is written here.
        Notifications are not raised for archived claims: they are history, not news.
        """
        batches = _batches(claims, batch_size)
        first = next(batches, [])
        second = next(batches, None)
        if second is None:
            return await self._import_one_batch(workspace, first, at, progress)
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                key = await self._ensure_key(self._db(self._writer), workspace, at)
                state = await bulk.read_state(self._writer, key)
            finally:
                await self._writer.execute("COMMIT")
            self._remember(workspace, key)
            return await self._import_in_writer(
                itertools.chain((first, second), batches), state, key, workspace, progress
            )

    async def _import_one_batch(
        self,
        workspace: str,
        batch: list[ImportedClaim],
        at: datetime,
        progress: Callable[[int], None] | None,
    ) -> int:
        """One batch (a seeded claim, a lookup's import) is one write transaction, like an
        added claim: the chain's state is read and the rows written in it, so that another
        process writing to the same file in between cannot fork the chain or take the same
        claim numbers. A seeded claim that another process stored meanwhile is left out (ten
        processes starting at once on a new store each seed the console's workspace; the first
        one stores each claim)."""
        async with self._transaction() as conn:
            key = await self._ensure_key(self._db(conn), workspace, at)
            present = await bulk.seed_keys_present(conn, key, batch)
            fresh = [c for c in batch if c.seed_key is None or c.seed_key not in present]
            if fresh:
                state = await bulk.read_state(conn, key)
                await bulk.insert(conn, bulk.prepare(state, key, workspace, fresh))
        self._remember(workspace, key)
        if progress:
            progress(len(fresh))
        return len(fresh)

    async def _import_in_writer(
        self,
        batches: Iterable[list[ImportedClaim]],
        state: bulk.ChainState,
        key: int,
        workspace: str,
        progress: Callable[[int], None] | None,
    ) -> int:
        writer = await BatchWriter.start(self._path)
        handed_over = 0
        try:
            for batch in batches:
                rows = bulk.prepare(state, key, workspace, batch)
                await writer.write(rows)  # returns once the batch before is written
                if handed_over and progress:
                    progress(handed_over)
                handed_over += len(batch)
            await writer.finish()
        finally:
            await writer.close()
        if progress:
            progress(handed_over)
        return handed_over
