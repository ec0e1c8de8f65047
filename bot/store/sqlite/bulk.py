"""Bulk import of an archive: many claims per transaction, the history chain computed in one pass.

Used to bring a newsroom's existing archive in (and by the benchmark to build large stores).
``prepare`` turns a batch into rows (pure CPU); ``write_batch`` writes them in a transaction of
their own, in this process or in a bulk writer's (``bulk_writer``). Rows go in with executemany;
the full-text rows (with their word pairs) are built by ``search_index.fts_row`` exactly as a
single add builds them.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from bot.core.ports import ImportedClaim
from bot.store import bulk_rows
from bot.store.bulk_rows import BatchRows as BatchRows
from bot.store.bulk_rows import ChainState as ChainState
from bot.store.bulk_rows import in_order as in_order
from bot.store.sqlite import search_index


def prepare(
    state: ChainState, workspace_key: int, workspace: str, batch: Sequence[ImportedClaim]
) -> BatchRows:
    """A batch's rows for SQLite, its full-text rows (with their word pairs) built by
    ``search_index.fts_row`` exactly as a single add builds them."""
    return bulk_rows.prepare(state, workspace_key, workspace, batch, search_index.fts_row)


async def read_state(conn: aiosqlite.Connection, workspace_key: int) -> ChainState:
    async with conn.execute(
        "SELECT next_claim, history_seq, history_head FROM workspaces WHERE key = ?",
        (workspace_key,),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return ChainState(int(row[0]), int(row[1]), str(row[2]))


async def write_batch(conn: aiosqlite.Connection, rows: BatchRows) -> None:
    """Write one prepared batch in a transaction of its own, then merge what it calls for.

    An import writes without pause and holds the store's write lock throughout, so it does its
    own upkeep between batches, as SQLite would have: this merges all that the batch calls for
    (left to the background, a large import's merges would be owed to the first writes after
    it), and the caller then checkpoints the WAL with ``checkpoint`` (a background checkpoint
    never catches up with back-to-back batches).
    """
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await insert(conn, rows)
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    await search_index.merge_all(conn)


async def seed_keys_present(
    conn: aiosqlite.Connection, workspace_key: int, claims: list[ImportedClaim]
) -> set[str]:
    """Which of these claims' seed keys the workspace holds already (stored by another
    process since this one looked)."""
    keys = [c.seed_key for c in claims if c.seed_key is not None]
    if not keys:
        return set()
    marks = ",".join("?" * len(keys))
    async with conn.execute(
        f"SELECT seed_key FROM claims WHERE workspace_key = ? AND seed_key IN ({marks})",
        (workspace_key, *keys),
    ) as cur:
        return {str(row[0]) for row in await cur.fetchall()}


async def checkpoint(conn: aiosqlite.Connection) -> None:
    """Copy the WAL into the database; once all of it is copied, the next write starts it over."""
    await conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


# What ``insert`` writes, in order: each of a batch's row lists and its statement. A bulk import
# and bench/import_budget.py (which times each statement on its own) both write from here.
INSERTS: tuple[tuple[str, str], ...] = (
    (
        "claims",
        "INSERT INTO claims(id, workspace_key, number, text, claimant, claimed_on, status, version,"
        " tags, source_count, created_by_id, created_by_name, created_at, updated_at, seed_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    ("index_rows", search_index.INSERT_FTS),
    ("tags", "INSERT INTO claim_tags(tag, claim_id) VALUES (?, ?)"),
    (
        "sources",
        "INSERT INTO sources(claim_id, url, title, outlet, stance, note, added_by_id, added_by_name,"
        " added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    (
        "history",
        "INSERT INTO history(id, claim_id, kind, old_status, new_status, actor_id,"
        " actor_name, detail, at, prev_hash, hash, content)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
)
SAVE_CHAIN = "UPDATE workspaces SET next_claim = ?, history_seq = ?, history_head = ? WHERE key = ?"
# Imported claims are embedded in the background, like added ones (one range a batch).
QUEUE_EMBEDDING = (
    "INSERT OR IGNORE INTO embedding_queue(claim_id) SELECT id FROM claims WHERE id BETWEEN ? AND ?"
)


def chain_row(rows: BatchRows) -> tuple[int, int, str, int]:
    """SAVE_CHAIN's values: where the workspace's numbering and chain stand after ``rows``."""
    return (rows.chain.next_claim, rows.chain.seq, rows.chain.head, rows.workspace_key)


async def insert(conn: aiosqlite.Connection, rows: BatchRows) -> None:
    """Insert prepared rows inside the caller's transaction and record where the chain ends."""
    for field, sql in INSERTS:
        await conn.executemany(sql, getattr(rows, field))
    await conn.execute(SAVE_CHAIN, chain_row(rows))
    if rows.claims:
        await conn.execute(QUEUE_EMBEDDING, (rows.claims[0][0], rows.claims[-1][0]))
