"""A batch of an archive as rows, with its part of the history chain: the pure work of a bulk
import (no SQL), shared by both stores. Each store writes the rows its own way (SQLite:
bot/store/sqlite/bulk.py; PostgreSQL: bot/store/postgres/imports.py) and says, through
``index_row``, what its search index needs of each claim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.audit import chain_hash, claim_content, with_source
from bot.core.models import HistoryKind, Status
from bot.core.ports import ImportedClaim, ImportedSource
from bot.store.changes import source_detail
from bot.store.keys import pack
from bot.store.rows import source_row

# What a store's search index needs of one claim: (packed id, text, claimant, tags as stored,
# what its sources say) in, the store's own row out.
IndexRow = Callable[[int, str, str, str, str], Any]


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
    index_rows: list[Any]  # each claim's search-index row, as the store's index_row made it
    tags: list[tuple[object, ...]]
    sources: list[tuple[object, ...]]
    history: list[tuple[object, ...]]


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
                    source_detail(source.stance, source.url, source.title),
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
    state: ChainState,
    workspace_key: int,
    workspace: str,
    batch: Sequence[ImportedClaim],
    index_row: IndexRow,
) -> BatchRows:
    """Pure CPU work (rows and hashes) for one batch; advances ``state``.

    Every value is turned into its stored text once and used for both the row and the hash:
    this loop is the import's hot path.
    """
    claims: list[tuple[object, ...]] = []
    index_rows: list[Any] = []
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
            sources.append(source_row(packed, source, source.added_by, source.at))
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
            said = sources_text(said, source.title, source.note)
        index_rows.append(index_row(packed, item.text, item.claimant, tag_text, said))
        tags.extend((tag, packed) for tag in item.tags)
        number += 1
    state.next_claim, state.seq, state.head = number, seq, head
    return BatchRows(
        workspace_key, ChainState(number, seq, head), claims, index_rows, tags, sources, history
    )


def source_text(title: str, note: str) -> str:
    """What one source adds to what a claim's sources say (empty: nothing)."""
    return f"{title} {note}".strip(" ")


def sources_text(before: str, title: str, note: str) -> str:
    """What a claim's sources say once a source with ``title`` and ``note`` follows ``before``."""
    return " ".join(part for part in (before, source_text(title, note)) if part)
