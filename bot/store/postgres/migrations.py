"""Numbered schema migrations of the PostgreSQL store (``migrations/NNNN_name.sql``), applied in
one transaction under an advisory lock: of several processes starting on one database, one
migrates and the others wait for it, then find nothing left to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.migration_files import available, newer_than_known

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn

# pg_advisory_xact_lock's key for "Claimdesk is migrating this database" (the bytes of "Claimdsk").
MIGRATION_LOCK = 0x436C61696D64736B


async def migrate(conn: Conn) -> list[int]:
    """Bring the database up to the newest schema; returns the versions applied now."""
    known = available("bot.store.postgres")
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {int(r[0]) for r in await conn.fetch("SELECT version FROM schema_migrations")}
        too_new = newer_than_known(done, known)
        if too_new:
            raise RuntimeError(too_new)
        applied: list[int] = []
        for migration in known:
            if migration.version in done:
                continue
            await conn.execute(migration.sql)  # a script: asyncpg sends it as one simple query
            await conn.execute(
                "INSERT INTO schema_migrations(version, name) VALUES ($1, $2)",
                migration.version,
                migration.name,
            )
            applied.append(migration.version)
    return applied
