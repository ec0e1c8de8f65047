"""Claimdesk on PostgreSQL: the Store of bot/core/ports.py for newsrooms that run several bot
processes on one database. The queries both stores share are bot/store/sql/'s; what only
PostgreSQL does has a module here; this class connects, migrates and closes.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.core.errors import StoreUnavailable
from bot.store.postgres.claims import ClaimQueries
from bot.store.postgres.imports import BulkQueries
from bot.store.postgres.matching import MatchingQueries
from bot.store.postgres.migrations import migrate
from bot.store.postgres.search import ListingQueries
from bot.store.sql.desk import DeskQueries
from bot.store.sql.outbox import OutboxQueries
from bot.store.sql.verdicts import VerdictQueries
from bot.store.sql.workspaces import WorkspaceQueries

# A bot process's connections: one per concurrent request at most, which a chat bot rarely
# exceeds; PostgreSQL's default allows 100 in all.
POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0


def shown(url: str) -> str:
    """The database's address without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, "", ""))


class PostgresStore(
    ClaimQueries,
    WorkspaceQueries,
    BulkQueries,
    OutboxQueries,
    MatchingQueries,
    ListingQueries,
    VerdictQueries,
    DeskQueries,
):
    _migrated: tuple[int, ...] = ()

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect to the database at ``url`` and bring its schema up to date.

        Raises StoreUnavailable with a plain reason (the address, without the password) when
        the server cannot be reached, refuses the login, or has no such database.
        """
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            reason = str(error).replace(url, shown(url)) or type(error).__name__
            raise StoreUnavailable(
                f"cannot use the PostgreSQL database at {shown(url)}: {reason}"
            ) from None
        try:
            async with pool.acquire() as conn:
                migrated = await migrate(conn)
        except BaseException:
            await pool.close()
            raise
        store = cls(pool)
        store._migrated = tuple(migrated)
        return store

    @property
    def migrated_on_open(self) -> tuple[int, ...]:
        return self._migrated

    async def fleet_size(self, member: str, *, alive_for: timedelta) -> int:
        """The database's clock judges who is alive: processes on several machines agree."""
        return int(
            await self._pool.fetchval(
                "WITH seen AS (INSERT INTO fleet(member, seen_at) VALUES ($1, now())"
                " ON CONFLICT (member) DO UPDATE SET seen_at = now() RETURNING member),"
                # Every start is a new member: those gone a day are forgotten.
                " gone AS (DELETE FROM fleet WHERE seen_at < now() - interval '1 day')"
                " SELECT 1 + count(*) FROM fleet WHERE seen_at > now() - $2::interval"
                " AND member <> $1",
                member,
                alive_for,
            )
        )

    async def close(self) -> None:
        await self._pool.close()

    async def check_integrity(self) -> None:
        """PostgreSQL keeps its own pages whole (checksums, WAL); what Claimdesk can check is
        that the database answers. The audit's own checks (audit.py) do the rest."""
        await self._pool.fetchval("SELECT 1")

    async def schema_version(self) -> int:
        return int(await self._pool.fetchval("SELECT max(version) FROM schema_migrations"))
