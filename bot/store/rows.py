"""Rows both stores read the same way: a claim's summary (what a search result or a listing
shows) and a page of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.models import (
    Claim,
    ClaimSummary,
    HistoryEntry,
    HistoryKind,
    ModeratorSettings,
    Person,
    SearchPage,
    Source,
    Stance,
    Status,
)
from bot.core.ports import EmbedJob, ImportedSource, ListQuery, NewSource, StoredContent
from bot.store.keys import pack

HISTORY_COLUMNS = (
    "h.id & 4294967295, h.claim_id, h.kind, h.old_status, h.new_status, h.actor_id, "
    "h.actor_name, h.detail, h.at, h.prev_hash, h.hash, h.content"
)
SOURCE_COLUMNS = "id, url, title, outlet, stance, note, added_by_id, added_by_name, added_at"
# A claim's source titles, joined by TITLE_SEPARATOR in its embedding job (a title holds none).
TITLE_SEPARATOR = "\x1f"
# A claim as the audit compares it: its columns, its last recorded digest, whether it has a
# history at all (SELECT … FROM claims c).
CONTENT_COLUMNS = (
    "c.id, c.number, c.text, c.claimant, c.claimed_on, c.tags, c.created_by_id,"
    " (SELECT h.content FROM history h WHERE h.claim_id = c.id ORDER BY h.id DESC LIMIT 1),"
    " EXISTS (SELECT 1 FROM history h WHERE h.claim_id = c.id)"
)


class RowLike(Protocol):
    """A row as either driver gives it: read by position."""

    def __getitem__(self, index: int, /) -> Any: ...


# Claims are counted up to this many (and one more, to say "1000+").
COUNT_CAP = 1000

SUMMARY_COLUMNS = "c.number, c.text, c.claimant, c.status, c.source_count, c.tags, c.created_at"


def tag_list(value: str) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


def summary(row: RowLike) -> ClaimSummary:
    return ClaimSummary(
        id=row[0],
        text=row[1],
        claimant=row[2],
        status=Status(row[3]),
        source_count=row[4],
        tags=tag_list(row[5]),
        created_at=datetime.fromisoformat(row[6]),
    )


def page_of(query: ListQuery, items: Sequence[RowLike], counted: int) -> SearchPage:
    """The page of ``items`` asked for; ``counted`` is the claims counted, up to the cap and one
    more, so that one past the cap says "more than"."""
    capped = counted > COUNT_CAP
    return SearchPage(
        items=tuple(summary(r) for r in items),
        page=query.page,
        page_size=query.page_size,
        total=min(counted, COUNT_CAP),
        total_is_capped=capped,
    )


def claim_from(row: RowLike, workspace: str) -> Claim:
    """A claim from the columns of bot/store/sql/statements.py's CLAIM_COLUMNS."""
    return Claim(
        id=row[2],
        workspace=workspace,
        text=row[3],
        claimant=row[4],
        claimed_on=row[5],
        status=Status(row[6]),
        version=row[7],
        tags=tag_list(row[8]),
        source_count=row[9],
        created_by=Person(user_id=row[10], name=row[11]),
        created_at=datetime.fromisoformat(row[12]),
        updated_at=datetime.fromisoformat(row[13]),
        requests=row[14],
        assignee=Person(user_id=row[15], name=row[16]) if row[15] is not None else None,
    )


def history_from(workspace: str, row: RowLike) -> HistoryEntry:
    """A history entry from the columns of HISTORY_COLUMNS."""
    return HistoryEntry(
        workspace=workspace,
        seq=row[0],
        claim_id=row[1] & 0xFFFFFFFF,
        kind=HistoryKind(row[2]),
        old_status=Status(row[3]) if row[3] else None,
        new_status=Status(row[4]) if row[4] else None,
        actor=Person(user_id=row[5], name=row[6]),
        detail=row[7],
        at=datetime.fromisoformat(row[8]),
        prev_hash=row[9],
        hash=row[10],
        content=row[11],
    )


def history_row(workspace_key: int, entry: HistoryEntry) -> tuple[Any, ...]:
    """The history table's row for ``entry``, in its column order: id, claim_id, kind,
    old_status, new_status, actor_id, actor_name, detail, at, prev_hash, hash, content (the
    columns HISTORY_COLUMNS reads back)."""
    return (
        pack(workspace_key, entry.seq),
        pack(workspace_key, entry.claim_id),
        entry.kind.value,
        entry.old_status.value if entry.old_status else None,
        entry.new_status.value if entry.new_status else None,
        entry.actor.user_id,
        entry.actor.name,
        entry.detail,
        entry.at.isoformat(),
        entry.prev_hash,
        entry.hash,
        entry.content,
    )


def source_row(
    claim_key: int, source: NewSource | ImportedSource, by: Person, at: datetime
) -> tuple[Any, ...]:
    """The sources table's row for ``source`` (its id aside), in its column order: claim_id,
    url, title, outlet, stance, note, added_by_id, added_by_name, added_at."""
    return (
        claim_key,
        source.url,
        source.title,
        source.outlet,
        source.stance.value,
        source.note,
        by.user_id,
        by.name,
        at.isoformat(),
    )


SourceFields = tuple[str | None, str, str, str, str]  # url, title, outlet, stance, note


def stored_content(row: RowLike, sources: Sequence[SourceFields]) -> StoredContent:
    """A claim as the audit compares it, from the columns of CONTENT_COLUMNS."""
    return StoredContent(
        number=row[1],
        text=row[2],
        claimant=row[3],
        claimed_on=row[4],
        tags=row[5],
        created_by_id=row[6],
        sources=tuple(sources),
        recorded=row[7],
        has_history=bool(row[8]),
    )


# A chunk's sources as stored_contents reads them (SELECT … FROM sources … ORDER BY claim_id, id).
CONTENT_SOURCE_COLUMNS = "claim_id, url, title, outlet, stance, note"


def stored_contents(claims: Sequence[RowLike], sources: Sequence[RowLike]) -> list[StoredContent]:
    """A chunk of claims (CONTENT_COLUMNS) with their sources (CONTENT_SOURCE_COLUMNS, each
    claim's in the order they were added)."""
    held: dict[int, list[SourceFields]] = {}
    for r in sources:
        held.setdefault(r[0], []).append((r[1], r[2], r[3], r[4], r[5]))
    return [stored_content(r, held.get(r[0], ())) for r in claims]


def moderators_from(rows: Sequence[RowLike]) -> ModeratorSettings:
    """A workspace's moderators from its (kind, ref) rows of workspace_moderators."""
    return ModeratorSettings(
        role_ids=frozenset(r[1] for r in rows if r[0] == "role"),
        user_ids=frozenset(r[1] for r in rows if r[0] == "user"),
    )


def source_from(row: RowLike) -> Source:
    """A source from the columns of SOURCE_COLUMNS."""
    return Source(
        id=row[0],
        url=row[1],
        title=row[2],
        outlet=row[3],
        stance=Stance(row[4]),
        note=row[5],
        added_by=Person(user_id=row[6], name=row[7]),
        added_at=datetime.fromisoformat(row[8]),
    )


def embed_job_from(row: RowLike) -> EmbedJob:
    """A queued claim to embed: (packed id, times asked, text, claimant, titles joined)."""
    return EmbedJob(
        key=int(row[0]),
        requested=int(row[1]),
        text=str(row[2]),
        claimant=str(row[3]),
        titles=tuple(t for t in str(row[4]).split(TITLE_SEPARATOR) if t),
    )
