from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.store.migration_files import available
from bot.store.sqlite import SqliteStore
from bot.store.sqlite.migrations import statements


async def test_schema_is_versioned_and_reopening_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    store = await SqliteStore.open(path)
    await store.close()
    store = await SqliteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [(m.version, m.name) for m in available("bot.store.sqlite")]
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


async def test_value_checks_are_comparisons_and_still_refuse_other_values(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    await (await SqliteStore.open(path)).close()
    with sqlite3.connect(path) as conn:
        tables = dict(conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'"))
        assert " IN (" not in "".join(tables.values())
        assert (
            "CHECK (status = 'unverified' OR status = 'verified' OR status = 'disputed')"
            in (tables["claims"])
        )
        conn.execute("INSERT INTO workspaces(key, external_id, created_at) VALUES (1, 'w', 'now')")
        claim = (
            "INSERT INTO claims(id, workspace_key, number, text, status, created_by_id,"
            " created_by_name, created_at, updated_at) VALUES (4294967297, 1, 1, 't', ?, 'u', 'U',"
            " 'now', 'now')"
        )
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(claim, ("maybe",))
        conn.execute(claim, ("disputed",))
        for sql in (
            "INSERT INTO sources(claim_id, stance, added_by_id, added_by_name, added_at)"
            " VALUES (4294967297, 'agrees', 'u', 'U', 'now')",
            "INSERT INTO history(id, claim_id, kind, actor_id, actor_name, detail, at, prev_hash,"
            " hash) VALUES (4294967297, 4294967297, 'edited', 'u', 'U', '', 'now', '', 'h')",
            "INSERT INTO workspace_moderators VALUES (1, 'group', 'x')",
            "INSERT INTO subscriptions(workspace_key, user_id, scope, delivery, cadence, created_at)"
            " VALUES (1, 'u', 'claim', 'dm', 'weekly', 'now')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                conn.execute(sql)


async def test_a_version_3_store_gets_the_comparisons_and_keeps_its_claims(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        for migration in available("bot.store.sqlite")[:3]:
            conn.executescript(migration.sql)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, 'then')",
                (migration.version, migration.name),
            )
        conn.execute("DELETE FROM search_index_rebuild")
        conn.execute("INSERT INTO workspaces(key, external_id, created_at) VALUES (1, 'w', 'then')")
        conn.execute(
            "INSERT INTO claims(id, workspace_key, number, text, status, created_by_id,"
            " created_by_name, created_at, updated_at) VALUES (4294967297, 1, 1, 't', 'verified',"
            " 'u', 'U', 'then', 'then')"
        )
        assert (
            "status IN ("
            in conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'claims'").fetchone()[0]
        )
    await (await SqliteStore.open(path)).close()
    with sqlite3.connect(path) as conn:
        schema = "".join(
            r[0] for r in conn.execute("SELECT sql FROM sqlite_schema WHERE sql NOT NULL")
        )
        assert " IN (" not in schema
        assert conn.execute("SELECT status FROM claims").fetchall() == [("verified",)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


_OPEN_AND_CLOSE = """
import asyncio, sys
from pathlib import Path
from bot.store.sqlite import SqliteStore

async def main() -> None:
    store = await SqliteStore.open(Path(sys.argv[1]))
    await store.close()

asyncio.run(main())
"""


def test_processes_starting_together_on_a_new_store_all_start(tmp_path: Path) -> None:
    # Before migrations ran under a lock, about half of such starts died with "table
    # workspaces already exists" or a UNIQUE error on schema_migrations.
    for attempt in range(5):
        path = tmp_path / f"race-{attempt}.sqlite3"
        starts = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AND_CLOSE, str(path)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for process in starts:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        assert [r[0] for r in rows] == [m.version for m in available("bot.store.sqlite")]


def test_migration_files_split_into_statements_triggers_whole() -> None:
    script = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x TEXT DEFAULT ';');\n"
        "CREATE TRIGGER t_ro BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'no; never'); END;\n"
    )
    found = statements(script)
    assert len(found) == 2
    assert found[1].startswith("CREATE TRIGGER")
    assert found[1].endswith("END;")
