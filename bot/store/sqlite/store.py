"""The embedded store: one SQLite file through aiosqlite, WAL mode, FTS5 search.

Two connections: a writer whose transactions are serialised by an asyncio lock (SQLite allows one
writer; the lock keeps coroutines from interleaving statements inside each other's transaction)
and a reader that sees committed snapshots without waiting for writes.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import aiosqlite

from bot.core.models import SearchPage
from bot.core.ports import ListQuery
from bot.store.keys import workspace_range
from bot.store.sql.desk import DeskQueries
from bot.store.sql.outbox import OutboxQueries
from bot.store.sql.verdicts import VerdictQueries
from bot.store.sql.workspaces import WorkspaceQueries
from bot.store.sqlite import faults, integrity, search_index
from bot.store.sqlite.budget import SearchBudget
from bot.store.sqlite.claims import ClaimQueries
from bot.store.sqlite.connection import connect
from bot.store.sqlite.imports import BulkQueries
from bot.store.sqlite.maintenance import Maintenance
from bot.store.sqlite.matching import MatchingQueries
from bot.store.sqlite.migrations import migrate
from bot.store.sqlite.search import list_workspace


class SqliteStore(
    ClaimQueries,
    WorkspaceQueries,
    BulkQueries,
    OutboxQueries,
    MatchingQueries,
    VerdictQueries,
    DeskQueries,
):
    """The Store of bot/core/ports.py on one SQLite file: each concern's queries come from
    its own module (see base.py); this class opens, checks and closes the file."""

    _migrated: tuple[int, ...] = ()

    @classmethod
    async def open(cls, path: Path) -> SqliteStore:
        """Open (creating it if need be) and upgrade the store at ``path``.

        Raises StoreUnavailable with a plain reason when the file cannot be used: a folder, a
        read-only file, a full disk, or a file that fails SQLite's quick integrity check (a
        damaged store must not take writes: they could be acknowledged and then lost). A
        large file is checked in the background instead (see integrity.py).
        """
        # Said before connecting: aiosqlite's thread outlives a connection that failed.
        faults.refuse_a_folder(path)
        opened: list[aiosqlite.Connection] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = await cls._connect(path, opened)
            await writer.execute("PRAGMA journal_mode = WAL")
            check_first = integrity.checked_first(path)
            if check_first:
                await integrity.check(writer, path, "quick_check")
            migrated = await migrate(writer)
            await search_index.rebuild_if_needed(writer)
            pairs_usable = await search_index.tokenizer_agrees(writer)
            # From here on index merges and checkpoints happen in the background.
            await writer.execute("PRAGMA wal_autocheckpoint = 0")
            reader = await cls._connect(path, opened)
            searcher = await cls._connect(path, opened)
            budget = SearchBudget()
            await budget.install(searcher)
            checkpointer = await cls._connect(path, opened)
        except BaseException as error:
            for conn in opened:
                await conn.close()
            explained = faults.explain(error, path)
            if explained is not None:
                raise explained from None
            raise
        lock = asyncio.Lock()
        maintenance = Maintenance(checkpointer, writer, lock)
        background = None if check_first else integrity.BackgroundCheck(path)
        store = cls(
            path,
            writer,
            reader,
            maintenance,
            write_lock=lock,
            pairs_usable=pairs_usable,
            searcher=searcher,
            search_budget=budget,
            integrity_check=background,
        )
        store._migrated = tuple(migrated)
        return store

    @property
    def migrated_on_open(self) -> tuple[int, ...]:
        return self._migrated

    @staticmethod
    async def _connect(path: Path, opened: list[aiosqlite.Connection]) -> aiosqlite.Connection:
        conn = await connect(path)
        opened.append(conn)
        return conn

    async def close(self) -> None:
        """Stop the background work and close every connection, each even if one before it
        fails (a damaged or vanished file): a connection left open outlives the event loop."""
        async with contextlib.AsyncExitStack() as closing:
            closing.push_async_callback(self._writer.close)
            closing.push_async_callback(self._reader.close)
            closing.push_async_callback(self._searcher.close)
            closing.push_async_callback(self._maintenance.close)
            if self._integrity_check is not None:
                closing.push_async_callback(self._integrity_check.close)

    async def integrity_checked(self) -> None:
        """Return once the background integrity check of a large store is over."""
        if self._integrity_check is not None:
            await self._integrity_check.finished()

    async def check_integrity(self) -> None:
        """SQLite's full integrity check of the file; raises StoreDamaged if it fails."""
        await integrity.check(self._reader, self._path, "integrity_check")

    async def schema_version(self) -> int:
        async with self._reader.execute("SELECT max(version) FROM schema_migrations") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def fleet_size(self, member: str, *, alive_for: timedelta) -> int:
        """One: a SQLite store serves one bot process (a fleet shares PostgreSQL)."""
        return 1

    async def list_claims(self, workspace: str, query: ListQuery) -> SearchPage:
        key = await self._key(workspace)
        if key is None:
            return SearchPage(
                items=(), page=query.page, page_size=query.page_size, total=0, total_is_capped=False
            )
        return await list_workspace(self._reader, key, query)

    async def tag_names(self, workspace: str, prefix: str, *, limit: int) -> list[str]:
        key = await self._key(workspace)
        if key is None:
            return []
        lo, hi = workspace_range(key)
        # Walks the (tag, claim_id) index; DISTINCT stops early thanks to LIMIT.
        async with self._reader.execute(
            "SELECT DISTINCT tag FROM claim_tags WHERE tag >= ? AND tag < ? "
            "AND claim_id BETWEEN ? AND ? ORDER BY tag LIMIT ?",
            (prefix, prefix + "\U0010ffff", lo, hi, limit),
        ) as cur:
            return [r[0] for r in await cur.fetchall()]
