"""What every part of the SQLite store shares: its connections and locks, and the write
transaction.

The store is split by concern, each a class that SqliteStore (store.py) combines: the shared
queries of bot/store/sql/ (claims, history, workspaces, the outbox), run here through SqliteDb,
and what only SQLite does: the FTS5 index (claims.py's hooks, search_index.py), bulk import
(imports.py) and matching (matching.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.core.errors import StoreDamaged
from bot.store.lexical_ranking import CommonWords
from bot.store.sql.base import SqlBase
from bot.store.sqlite import faults, integrity
from bot.store.sqlite.budget import SearchBudget
from bot.store.sqlite.db import SqliteDb, compiler
from bot.store.sqlite.maintenance import Maintenance
from bot.store.vectors import WorkspaceIndex


class StoreBase(SqlBase):
    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        maintenance: Maintenance,
        *,
        write_lock: asyncio.Lock,
        pairs_usable: bool,
        searcher: aiosqlite.Connection,
        search_budget: SearchBudget,
        integrity_check: integrity.BackgroundCheck | None = None,
    ) -> None:
        self._path = path
        self._writer = writer
        self._reader = reader
        # Lexical searches have a connection of their own, under a time budget (budget.py):
        # a slow search holds up neither show nor list.
        self._searcher = searcher
        self._search_budget = search_budget
        self._maintenance = maintenance
        # Whether phrase searches may rely on the word-pair column (see search_index.py).
        self._pairs_usable = pairs_usable
        self._write_lock = write_lock
        self._keys: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._vector_indexes: dict[int, WorkspaceIndex] = {}
        self._common_words = CommonWords()
        self._codes_lock = asyncio.Lock()
        self._damaged: StoreDamaged | None = None
        self._integrity_check = integrity_check
        self._compiled = compiler()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction. A fault of the file or disk becomes StoreUnavailable, and
        once the file is found damaged no later write is even begun."""
        async with self._write_lock:
            if self._damaged is None and self._integrity_check is not None:
                self._damaged = self._integrity_check.damaged
            if self._damaged is not None:
                raise self._damaged
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                except BaseException:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                explained = faults.explain(error, self._path)
                if explained is None:
                    raise
                if isinstance(explained, StoreDamaged):
                    self._damaged = explained
                raise explained from error
            self._maintenance.wrote()

    @property
    def _reads(self) -> SqliteDb:
        return SqliteDb(self._reader, self._compiled)

    def _db(self, conn: aiosqlite.Connection) -> SqliteDb:
        """``conn`` (the writer, inside a transaction) for the shared queries."""
        return SqliteDb(conn, self._compiled)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[SqliteDb]:
        async with self._transaction() as conn:
            yield self._db(conn)
