"""The shared tables are defined once (bot/store/sql/schema.py) and created by each store's own
migrations: the definition must name what both migrated stores hold, column for column, or a
query written once would fail on one store only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot.store.postgres import PostgresStore
from bot.store.sql.schema import metadata
from bot.store.sqlite import SqliteStore

# Columns a dialect keeps for its own queries, never read or written by the shared ones.
DIALECT_ONLY = {
    "sqlite": {},
    "postgres": {
        "claims": {"words"},
        "claim_vectors": {"written_by"},
        "embedding_queue": {"leased_until"},
    },
}


async def migrated_columns(store_kind: str, tmp_path: Path, url: str | None) -> dict[str, set[str]]:
    if store_kind == "sqlite":
        path = tmp_path / "desk.sqlite3"
        await (await SqliteStore.open(path)).close()
        with sqlite3.connect(path) as file:
            names = [
                r[0] for r in file.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {n: {r[1] for r in file.execute(f"PRAGMA table_info('{n}')")} for n in names}
    assert url is not None
    await (await PostgresStore.open(url)).close()
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    held: dict[str, set[str]] = {}
    for r in rows:
        held.setdefault(r["table_name"], set()).add(r["column_name"])
    return held


@pytest.mark.parametrize("table", sorted(metadata.tables))
async def test_each_shared_table_is_what_the_migrations_create(
    table: str, store_kind: str, store_url: str | None, tmp_path: Path
) -> None:
    held = await migrated_columns(store_kind, tmp_path, store_url)
    assert table in held, f"{store_kind}'s migrations create no table {table}"
    own = DIALECT_ONLY[store_kind].get(table, set())
    defined = {c.name for c in metadata.tables[table].columns}
    assert defined == held[table] - own
