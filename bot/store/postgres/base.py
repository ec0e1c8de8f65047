"""What every part of the PostgreSQL store shares: the connection pool, the write transaction,
workspace keys, and reading a claim row. Mirrors bot/store/sqlite/base.py.

Several Claimdesk processes may write at once here (SQLite has one writer): every change to a
workspace's claims or history first locks that workspace's row, so its claim numbers and its
hash chain advance one change at a time, whichever process makes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import asyncpg

from bot.core.models import Claim
from bot.store.keys import pack
from bot.store.rows import CLAIM_COLUMNS, claim_from
from bot.store.vectors import WorkspaceIndex

Row = asyncpg.Record | tuple[Any, ...]

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


class PgBase:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._keys: dict[str, int] = {}
        self._names: dict[int, str] = {}
        # Each workspace's embedding codes in this process (see matching.py).
        self._codes: dict[int, HeldCodes] = {}
        self._codes_lock = asyncio.Lock()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Conn]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    async def _key(self, workspace: str) -> int | None:
        if workspace in self._keys:
            return self._keys[workspace]
        key = await self._pool.fetchval(
            "SELECT key FROM workspaces WHERE external_id = $1", workspace
        )
        if key is None:
            return None
        self._keys[workspace] = int(key)
        self._names[int(key)] = workspace
        return int(key)

    async def _ensure_key(self, conn: Conn, workspace: str, at: datetime) -> int:
        key = await self._key(workspace)
        if key is not None:
            return key
        await conn.execute(
            "INSERT INTO workspaces(external_id, created_at) VALUES ($1, $2)"
            " ON CONFLICT (external_id) DO NOTHING",
            workspace,
            at.isoformat(),
        )
        found = await conn.fetchval("SELECT key FROM workspaces WHERE external_id = $1", workspace)
        return int(found)

    def _remember(self, workspace: str, key: int) -> None:
        """Cache a key once the transaction that may have created it has committed."""
        self._keys[workspace] = key
        self._names[key] = workspace

    def _claim(self, row: Row, workspace: str | None = None) -> Claim:
        return claim_from(row, workspace or self._names[row[1]])

    async def _fetch_claim(
        self,
        conn: Conn | asyncpg.Pool,
        workspace: str,
        number: int,
        *,
        for_update: bool = False,
    ) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        row = await conn.fetchrow(
            f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.id = $1"
            + (" FOR UPDATE" if for_update else ""),
            pack(key, number),
        )
        return self._claim(row, workspace) if row else None
