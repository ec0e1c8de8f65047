"""How every connection to the store's file is opened: the store's own and a bulk writer's."""

from __future__ import annotations

from pathlib import Path

import aiosqlite


async def connect(path: Path) -> aiosqlite.Connection:
    """A connection in autocommit mode (transactions are explicit), configured as below."""
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await configure(conn)
    except BaseException:
        await conn.close()
        raise
    return conn


# Every connection's settings (bench/import_budget.py opens plain sqlite3 connections with them).
PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
    # 32 MB of page cache per connection (default 2 MB): index pages of a million claims
    # stay in memory for writes and the FTS doclists of common words for reads.
    "PRAGMA cache_size = -32000",
    # When the WAL starts over after a full checkpoint, a file grown past this (by a bulk
    # import, or while a long read held the checkpoint back) is cut back to it.
    "PRAGMA journal_size_limit = 16777216",
)


async def configure(conn: aiosqlite.Connection) -> None:
    for pragma in PRAGMAS:
        await conn.execute(pragma)
