"""What every part of the SQLite store shares: its connections and locks, the write
transaction, workspace keys, and reading a claim row.

The store is split by concern, each a class here that SqliteStore (store.py) combines: claims
(claims.py), history and the audit's questions (history.py), workspaces (workspaces.py), bulk
import (imports.py), the outbox (outbox.py) and matching (matching.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.errors import StoreDamaged
from bot.core.models import Claim
from bot.store.keys import pack
from bot.store.lexical_ranking import CommonWords
from bot.store.rows import CLAIM_COLUMNS, claim_from
from bot.store.sqlite import faults, integrity
from bot.store.sqlite.budget import SearchBudget
from bot.store.sqlite.maintenance import Maintenance
from bot.store.vectors import WorkspaceIndex


class StoreBase:
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
        self._vector_lock = asyncio.Lock()
        self._damaged: StoreDamaged | None = None
        self._integrity_check = integrity_check

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

    async def _key(self, workspace: str) -> int | None:
        if workspace in self._keys:
            return self._keys[workspace]
        async with self._reader.execute(
            "SELECT key FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        self._keys[workspace] = row[0]
        self._names[row[0]] = workspace
        return int(row[0])

    async def _ensure_key(self, conn: aiosqlite.Connection, workspace: str, at: datetime) -> int:
        key = await self._key(workspace)
        if key is not None:
            return key
        await conn.execute(
            "INSERT OR IGNORE INTO workspaces(external_id, created_at) VALUES (?, ?)",
            (workspace, at.isoformat()),
        )
        async with conn.execute(
            "SELECT key FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        # Cached only after commit would be stricter; a rolled-back insert just re-inserts.
        return int(row[0])

    def _claim(self, row: sqlite3.Row | tuple[Any, ...], workspace: str | None = None) -> Claim:
        return claim_from(row, workspace or self._names[row[1]])

    async def _fetch_claim(
        self, conn: aiosqlite.Connection, workspace: str, number: int
    ) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        async with conn.execute(
            f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.id = ?", (pack(key, number),)
        ) as cur:
            row = await cur.fetchone()
        return self._claim(row) if row else None
