from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store.sqlite import SqliteStore
from bot.store.sqlite.migrations import available


async def test_schema_is_versioned_and_reopening_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    store = await SqliteStore.open(path)
    await store.close()
    store = await SqliteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [(m.version, m.name) for m in available()]
    assert mode == "wal"


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    await (await SqliteStore.open(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'now')")
    with pytest.raises(RuntimeError, match="newer than this Claimdesk"):
        await SqliteStore.open(path)


async def test_every_lookup_uses_an_index(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    await (await SqliteStore.open(path)).close()
    queries = [
        "SELECT * FROM claims WHERE id = 1",
        "SELECT * FROM claims WHERE workspace_key = 1 AND seed_key = 'x'",
        "SELECT * FROM sources WHERE claim_id = 1 ORDER BY id",
        "SELECT * FROM history WHERE claim_id = 1 ORDER BY id",
        "SELECT * FROM history WHERE id BETWEEN 4294967296 AND 8589934591 ORDER BY id",
        "SELECT claim_id FROM claim_tags WHERE tag = 'x' AND claim_id BETWEEN 1 AND 2",
        "SELECT * FROM claims WHERE workspace_key = 1 AND status = 'verified'",
    ]
    with sqlite3.connect(path) as conn:
        for sql in queries:
            plan = " ".join(str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN" not in plan.replace("SCAN CONSTANT", ""), (sql, plan)
