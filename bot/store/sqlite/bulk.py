"""Bulk import of an archive: many claims per transaction, the history chain computed in one pass.

Used to bring a newsroom's existing archive in (and by the benchmark to build large stores).
``prepare`` turns a batch into rows (pure CPU); ``write_batch`` writes them in a transaction of
their own, in this process or in a bulk writer's (``bulk_writer``). Rows go in with executemany;
the full-text rows (with their word pairs) are built by ``search_index.fts_row`` exactly as a
single add builds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.audit import chain_hash, claim_content, with_source
from bot.core.models import HistoryKind, Status
from bot.core.ports import ImportedClaim, ImportedSource
from bot.store.keys import pack
from bot.store.sqlite import search_index


@dataclass
class ChainState:
    """Where the workspace's numbering and history chain stand between batches."""

    next_claim: int
    seq: int
    head: str


@dataclass
class BatchRows:
    """One batch's rows, and where the workspace's numbering and chain stand after it."""

    workspace_key: int
    chain: ChainState
    claims: list[tuple[object, ...]]
    fts: list[search_index.FtsRow]
    tags: list[tuple[object, ...]]
    sources: list[tuple[object, ...]]
    history: list[tuple[object, ...]]


async def read_state(conn: aiosqlite.Connection, workspace_key: int) -> ChainState:
    async with conn.execute(
        "SELECT next_claim, history_seq, history_head FROM workspaces WHERE key = ?",
        (workspace_key,),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return ChainState(int(row[0]), int(row[1]), str(row[2]))


_CREATED = HistoryKind.CREATED.value
_SOURCE_ADDED = HistoryKind.SOURCE_ADDED.value
_STATUS_CHANGED = HistoryKind.STATUS_CHANGED.value
_UNVERIFIED = Status.UNVERIFIED.value

# (at, kind, old status, new status, actor id, actor name, detail, source added or None),
# all as stored.
_Event = tuple[str, str, str | None, str | None, str, str, str, ImportedSource | None]


def in_order(sources: Sequence[ImportedSource]) -> list[ImportedSource]:
    """A claim's sources in the order they were added: the order of their rows and of the
    history entries whose content digests fold them in."""
    return sorted(sources, key=lambda source: source.at)


def _events(item: ImportedClaim) -> tuple[list[_Event], str, str]:
    """The claim's history entries in chain order, its final status and last update time."""
    created_at = item.created_at.isoformat()
    by_time: list[tuple[datetime, _Event]] = []
    for source in in_order(item.sources):
        by_time.append(
            (
                source.at,
                (
                    source.at.isoformat(),
                    _SOURCE_ADDED,
                    None,
                    None,
                    source.added_by.user_id,
                    source.added_by.name,
                    f"{source.stance.value}: {source.url or source.title}",
                    source,
                ),
            )
        )
    status = _UNVERIFIED
    for change in item.changes:
        new = change.new_status.value
        by_time.append(
            (
                change.at,
                (
                    change.at.isoformat(),
                    _STATUS_CHANGED,
                    status,
                    new,
                    change.actor.user_id,
                    change.actor.name,
                    change.reason,
                    None,
                ),
            )
        )
        status = new
    # Evidence and changes by time (stable, so changes keep their order); creation first.
    by_time.sort(key=lambda pair: pair[0])
    created: _Event = (
        created_at,
        _CREATED,
        None,
        _UNVERIFIED,
        item.created_by.user_id,
        item.created_by.name,
        item.text,
        None,
    )
    updated_at = max(by_time[-1][0], item.created_at).isoformat() if by_time else created_at
    return [created, *(event for _, event in by_time)], status, updated_at


def prepare(
    state: ChainState, workspace_key: int, workspace: str, batch: Sequence[ImportedClaim]
) -> BatchRows:
    """Pure CPU work (rows and hashes) for one batch; advances ``state``.

    Every value is turned into its stored text once and used for both the row and the hash:
    this loop is the import's hot path.
    """
    claims: list[tuple[object, ...]] = []
    fts: list[search_index.FtsRow] = []
    tags: list[tuple[object, ...]] = []
    sources: list[tuple[object, ...]] = []
    history: list[tuple[object, ...]] = []
    number, seq, head = state.next_claim, state.seq, state.head
    seq_base = pack(workspace_key, 0)
    for item in batch:
        packed = seq_base | number
        events, status, updated_at = _events(item)
        tag_text = " ".join(item.tags)
        content = claim_content(
            item.text, item.claimant, item.claimed_on, tag_text, item.created_by.user_id
        )
        for at, kind, old, new, actor_id, actor_name, detail, added in events:
            seq += 1
            if added is not None:
                content = with_source(
                    content, added.url, added.title, added.outlet, added.stance.value, added.note
                )
            digest = chain_hash(
                head,
                workspace,
                seq,
                number,
                kind,
                old,
                new,
                actor_id,
                actor_name,
                detail,
                at,
                content,
            )
            history.append(
                (
                    seq_base | seq,
                    packed,
                    kind,
                    old,
                    new,
                    actor_id,
                    actor_name,
                    detail,
                    at,
                    head,
                    digest,
                    content,
                )
            )
            head = digest
        for source in in_order(item.sources):
            sources.append(
                (
                    packed,
                    source.url,
                    source.title,
                    source.outlet,
                    source.stance.value,
                    source.note,
                    source.added_by.user_id,
                    source.added_by.name,
                    source.at.isoformat(),
                )
            )
        claims.append(
            (
                packed,
                workspace_key,
                number,
                item.text,
                item.claimant,
                item.claimed_on,
                status,
                len(events),  # version: one per history entry
                tag_text,
                len(item.sources),
                item.created_by.user_id,
                item.created_by.name,
                events[0][0],
                updated_at,
                item.seed_key,
            )
        )
        said = ""
        for source in in_order(item.sources):
            said = search_index.sources_text(said, source.title, source.note)
        fts.append(search_index.fts_row(packed, item.text, item.claimant, tag_text, said))
        tags.extend((tag, packed) for tag in item.tags)
        number += 1
    state.next_claim, state.seq, state.head = number, seq, head
    return BatchRows(
        workspace_key, ChainState(number, seq, head), claims, fts, tags, sources, history
    )


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
        await _insert(conn, rows)
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    await search_index.merge_all(conn)


async def checkpoint(conn: aiosqlite.Connection) -> None:
    """Copy the WAL into the database; once all of it is copied, the next write starts it over."""
    await conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


# What ``_insert`` writes, in order: each of a batch's row lists and its statement. A bulk import
# and bench/import_budget.py (which times each statement on its own) both write from here.
INSERTS: tuple[tuple[str, str], ...] = (
    (
        "claims",
        "INSERT INTO claims(id, workspace_key, number, text, claimant, claimed_on, status, version,"
        " tags, source_count, created_by_id, created_by_name, created_at, updated_at, seed_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    ("fts", search_index.INSERT_FTS),
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


async def _insert(conn: aiosqlite.Connection, rows: BatchRows) -> None:
    """Insert prepared rows inside the caller's transaction and record where the chain ends."""
    for field, sql in INSERTS:
        await conn.executemany(sql, getattr(rows, field))
    await conn.execute(SAVE_CHAIN, chain_row(rows))
    if rows.claims:
        await conn.execute(QUEUE_EMBEDDING, (rows.claims[0][0], rows.claims[-1][0]))
