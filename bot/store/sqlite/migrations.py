"""Numbered schema migrations: ``migrations/NNNN_name.sql``, applied in order, each once,
each in its own transaction, and recorded in ``schema_migrations``."""

from __future__ import annotations

import re
from importlib import resources
from typing import NamedTuple

import aiosqlite

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    folder = resources.files("bot.store.sqlite") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..n without gaps, found {versions}")
    return found


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Bring the database up to the newest schema; returns the versions applied now."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT version FROM schema_migrations") as cur:
        done = {row[0] for row in await cur.fetchall()}
    applied: list[int] = []
    known = available()
    newest = known[-1].version if known else 0
    if done and max(done) > newest:
        raise RuntimeError(
            f"this database has schema version {max(done)}, newer than this Claimdesk "
            f"({newest}); upgrade Claimdesk instead of opening it with an older one"
        )
    for migration in known:
        if migration.version in done:
            continue
        # executescript() commits first, so the BEGIN/COMMIT here make the whole file atomic.
        await conn.executescript(
            "BEGIN IMMEDIATE;\n"
            + migration.sql
            + "\nINSERT INTO schema_migrations(version, name, applied_at) VALUES "
            + f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
            + "\nCOMMIT;"
        )
        applied.append(migration.version)
    return applied
