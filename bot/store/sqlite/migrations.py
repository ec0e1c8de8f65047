"""Numbered schema migrations: ``migrations/NNNN_name.sql``, applied in order, each once,
all in one transaction, and recorded in ``schema_migrations``."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import aiosqlite

from bot.store.migration_files import available, newer_than_known

log = logging.getLogger(__name__)

# How long a start waits for another process's migrations before giving up.
MAX_WAIT_SECONDS = 600.0


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Bring the database up to the newest schema; returns the versions applied now.

    Everything happens in one write transaction, begun before the schema is even read: of
    several processes starting on one new store, one migrates and the others wait for it, then
    find nothing left to do (unlocked, they raced: "table workspaces already exists").
    """
    await _begin_when_free(conn)
    try:
        applied = await _apply_pending(conn)
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    return applied


async def _begin_when_free(conn: aiosqlite.Connection) -> None:
    """BEGIN IMMEDIATE, waiting as long as another process is migrating (which can outlast
    the busy timeout on a large store)."""
    waited = 0.0
    while True:
        try:
            await conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if waited >= MAX_WAIT_SECONDS:
                raise
            if not waited:
                log.info("waiting for another Claimdesk process to finish upgrading the store")
            await asyncio.sleep(1.0)
            waited += 1.0


async def _apply_pending(conn: aiosqlite.Connection) -> list[int]:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT version FROM schema_migrations") as cur:
        done = {row[0] for row in await cur.fetchall()}
    applied: list[int] = []
    known = available("bot.store.sqlite")
    too_new = newer_than_known(done, known)
    if too_new:
        raise RuntimeError(too_new)
    for migration in known:
        if migration.version in done:
            continue
        for statement in statements(migration.sql):
            await conn.execute(statement)
        await conn.execute(
            "INSERT INTO schema_migrations(version, name, applied_at)"
            " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            (migration.version, migration.name),
        )
        applied.append(migration.version)
    return applied


def statements(script: str) -> list[str]:
    """A migration file's statements, one by one (executescript() would commit the transaction
    the migrations run in). SQLite itself says where a statement ends, triggers included."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \t\n;"):
        raise RuntimeError(f"a migration ends in an incomplete statement: {pending.strip()[:80]}")
    return found
