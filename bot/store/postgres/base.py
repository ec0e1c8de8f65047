"""What every part of the PostgreSQL store shares: the connection pool and the write
transaction, on which the shared queries of bot/store/sql/ run through PgDb.

Several Claimdesk processes may write at once here (SQLite has one writer): every change to a
workspace's claims or history first locks that workspace's row, so its claim numbers and its
hash chain advance one change at a time, whichever process makes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import asyncpg

from bot.store.postgres.db import PgDb, compiler
from bot.store.sql.base import SqlBase
from bot.store.vectors import WorkspaceIndex

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # A pooled connection: what every query inside a transaction runs on.
    Conn = PoolConnectionProxy[asyncpg.Record]


class HeldCodes:
    """One workspace's embedding codes in this process, and the transaction horizon they are
    current to: every transaction below it had finished when they were read."""

    def __init__(self, index: WorkspaceIndex, horizon: int) -> None:
        self.index = index
        self.horizon = horizon


class PgBase(SqlBase):
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._compiled = compiler()
        self._keys: dict[str, int] = {}
        self._names: dict[int, str] = {}
        # Each workspace's embedding codes in this process (see matching.py).
        self._codes: dict[int, HeldCodes] = {}
        self._codes_lock = asyncio.Lock()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    @property
    def _reads(self) -> PgDb:
        return PgDb(self._pool, self._compiled)

    def _db(self, conn: Conn) -> PgDb:
        """``conn`` (inside a transaction) for the shared queries."""
        return PgDb(conn, self._compiled)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[PgDb]:
        async with self._transaction() as conn:
            yield self._db(conn)
