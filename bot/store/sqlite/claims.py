"""Claims and their sources: reading them, and the three changes (a claim added, a source
added, a status changed), each one transaction with its history entry and its outbox event."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

import aiosqlite

from bot.core.errors import Conflict, NotFound
from bot.core.models import (
    Claim,
    ClaimDetail,
    HistoryEntry,
    Person,
    Source,
    Status,
)
from bot.core.ports import NewClaim, NewSource, SourceExists
from bot.store import changes
from bot.store.keys import pack, workspace_range
from bot.store.rows import (
    CLAIM_COLUMNS,
    HISTORY_COLUMNS,
    SOURCE_COLUMNS,
    history_from,
    source_from,
    source_row,
)
from bot.store.sqlite import search_index
from bot.store.sqlite.history import HistoryQueries

# Queue a claim for (re-)embedding; one being embedded right now is asked for again.
_QUEUE_EMBEDDING = (
    "INSERT INTO embedding_queue(claim_id) VALUES (?)"
    " ON CONFLICT(claim_id) DO UPDATE SET requested = requested + 1"
)


class ClaimQueries(HistoryQueries):
    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None:
        return await self._fetch_claim(self._reader, workspace, claim_id)

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        async with self._reader.execute(
            f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.workspace_key = ? AND c.seed_key = ?",
            (key, seed_key),
        ) as cur:
            row = await cur.fetchone()
        return self._claim(row) if row else None

    async def get_detail(
        self, workspace: str, claim_id: int, *, recent_changes: int
    ) -> ClaimDetail | None:
        claim = await self.get_claim(workspace, claim_id)
        if claim is None:
            return None
        packed = pack(self._keys[workspace], claim_id)
        async with self._reader.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE claim_id = ? ORDER BY id",
            (packed,),
        ) as cur:
            sources = tuple(source_from(r) for r in await cur.fetchall())
        changes: list[HistoryEntry] = []
        if recent_changes > 0:
            async with self._reader.execute(
                f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.claim_id = ? "
                "ORDER BY h.id DESC LIMIT ?",
                (packed, recent_changes),
            ) as cur:
                changes = [history_from(workspace, r) for r in await cur.fetchall()]
        return ClaimDetail(claim=claim, sources=sources, recent_changes=tuple(reversed(changes)))

    async def add_claim(
        self,
        workspace: str,
        claim: NewClaim,
        *,
        actor: Person,
        at: datetime,
        source: NewSource | None = None,
    ) -> Claim:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            async with conn.execute(
                "UPDATE workspaces SET next_claim = next_claim + 1 WHERE key = ? "
                "RETURNING next_claim - 1",
                (key,),
            ) as cur:
                row = await cur.fetchone()
            assert row is not None
            number = int(row[0])
            packed = pack(key, number)
            stamp = at.isoformat()
            await conn.execute(
                "INSERT INTO claims(id, workspace_key, number, text, claimant, claimed_on, status,"
                " tags, created_by_id, created_by_name, created_at, updated_at, seed_key)"
                " VALUES (?, ?, ?, ?, ?, ?, 'unverified', ?, ?, ?, ?, ?, ?)",
                (
                    packed,
                    key,
                    number,
                    claim.text,
                    claim.claimant,
                    claim.claimed_on,
                    " ".join(claim.tags),
                    actor.user_id,
                    actor.name,
                    stamp,
                    stamp,
                    claim.seed_key,
                ),
            )
            await search_index.insert(
                conn,
                [search_index.fts_row(packed, claim.text, claim.claimant, " ".join(claim.tags))],
            )
            await conn.executemany(
                "INSERT INTO claim_tags(tag, claim_id) VALUES (?, ?)",
                [(t, packed) for t in claim.tags],
            )
            await conn.execute(_QUEUE_EMBEDDING, (packed,))
            await self._record(conn, key, workspace, changes.claim_added(number, claim, actor, at))
            if source is not None:  # in the same transaction: both are stored, or neither
                async with conn.execute(
                    f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.id = ?", (packed,)
                ) as cur:
                    row = await cur.fetchone()
                assert row is not None
                created = self._claim(row, workspace)  # a new workspace is not cached yet
                await self._insert_source(conn, key, created, source, actor=actor, at=at)
        self._keys[workspace] = key
        self._names[key] = workspace
        found = await self._fetch_claim(self._writer, workspace, number)
        assert found is not None
        return found

    async def add_source(
        self, workspace: str, claim_id: int, source: NewSource, *, actor: Person, at: datetime
    ) -> Source:
        async with self._transaction() as conn:
            key = await self._key(workspace)
            claim = await self._fetch_claim(conn, workspace, claim_id) if key is not None else None
            if key is None or claim is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            source_id = await self._insert_source(conn, key, claim, source, actor=actor, at=at)
        assert source_id is not None
        return source.stored(source_id, actor, at)

    async def _insert_source(
        self,
        conn: aiosqlite.Connection,
        key: int,
        claim: Claim,
        source: NewSource,
        *,
        actor: Person,
        at: datetime,
    ) -> int:
        """Attach ``source`` to ``claim`` inside the caller's transaction; returns its id."""
        workspace, claim_id = claim.workspace, claim.id
        packed = pack(key, claim_id)
        content_before = await self._content_recorded(conn, packed)
        said = search_index.source_text(source.title, source.note)
        if said:
            async with conn.execute(search_index.SOURCES_TEXT_OF, (packed,)) as titles:
                row = await titles.fetchone()
            before = str(row[0]) if row else ""
        try:
            cur = await conn.execute(
                "INSERT INTO sources(claim_id, url, title, outlet, stance, note,"
                " added_by_id, added_by_name, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                source_row(packed, source, actor, at),
            )
        except sqlite3.IntegrityError:
            raise SourceExists(f"claim {claim_id}: {source.url}") from None  # the core words it
        source_id = cur.lastrowid
        if said:
            # A headline or a note is indexed with the claim it reports on.
            tags = " ".join(claim.tags)
            after = search_index.sources_text(before, source.title, source.note)
            await search_index.replace(
                conn,
                search_index.fts_row(packed, claim.text, claim.claimant, tags, before),
                search_index.fts_row(packed, claim.text, claim.claimant, tags, after),
            )
        if source.title:
            # A headline is embedded with the claim too (matching/text.py: document_text).
            await conn.execute(_QUEUE_EMBEDDING, (packed,))
        await conn.execute(
            "UPDATE claims SET source_count = source_count + 1, version = version + 1,"
            " updated_at = ? WHERE id = ?",
            (at.isoformat(), packed),
        )
        change = changes.source_added(claim, source, content_before, actor, at)
        await self._record(conn, key, workspace, change)
        assert source_id is not None
        return source_id

    async def change_status(
        self,
        workspace: str,
        claim_id: int,
        new_status: Status,
        *,
        reason: str,
        actor: Person,
        at: datetime,
        expected_version: int | None,
    ) -> tuple[Claim, HistoryEntry]:
        async with self._transaction() as conn:
            current = await self._fetch_claim(conn, workspace, claim_id)
            if current is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            if expected_version is not None and current.version != expected_version:
                raise Conflict(f"claim {claim_id}, version {current.version}")
            key = self._keys[workspace]
            await conn.execute(
                "UPDATE claims SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                (new_status.value, at.isoformat(), pack(key, claim_id)),
            )
            content = await self._content_recorded(conn, pack(key, claim_id))
            change = changes.status_changed(current, new_status, reason, content, actor, at)
            entry = await self._record(conn, key, workspace, change)
            updated = await self._fetch_claim(conn, workspace, claim_id)
        assert updated is not None
        return updated, entry

    async def claim_numbers(self, workspace: str, statuses: Sequence[Status]) -> AsyncIterator[int]:
        key = await self._key(workspace)
        if key is None or not statuses:
            return
        after, hi = workspace_range(key)
        while True:  # a page at a time, along the primary key: an export may walk a million
            async with self._reader.execute(
                f"SELECT id FROM claims WHERE id > ? AND id <= ?"
                f" AND status IN ({','.join('?' * len(statuses))}) ORDER BY id LIMIT 1000",
                [after, hi, *(s.value for s in statuses)],
            ) as cur:
                ids = [int(r[0]) for r in await cur.fetchall()]
            if not ids:
                return
            for packed in ids:
                yield packed & 0xFFFFFFFF
            after = ids[-1]

    async def source_urls_present(self, workspace: str, urls: Sequence[str]) -> set[str]:
        key = await self._key(workspace)
        if key is None or not urls:
            return set()
        lo, hi = workspace_range(key)
        found: set[str] = set()
        for start in range(0, len(urls), 500):  # SQLite's limit on parameters, with room
            chunk = list(urls[start : start + 500])
            async with self._reader.execute(
                f"SELECT url FROM sources WHERE url IN ({','.join('?' * len(chunk))})"
                " AND claim_id BETWEEN ? AND ?",
                [*chunk, lo, hi],
            ) as cur:
                found.update(str(r[0]) for r in await cur.fetchall())
        return found

    async def claim_with_source(self, workspace: str, url: str) -> int | None:
        key = await self._key(workspace)
        if key is None:
            return None
        lo, hi = workspace_range(key)
        async with self._reader.execute(
            "SELECT min(claim_id) FROM sources WHERE url = ? AND claim_id BETWEEN ? AND ?",
            (url, lo, hi),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) & 0xFFFFFFFF if row and row[0] is not None else None
