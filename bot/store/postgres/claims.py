"""Claims and their sources: reading them, and the three changes (a claim added, a source added,
a status changed), each one transaction with its history entry and its outbox event. Mirrors
bot/store/sqlite/claims.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import asyncpg

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
from bot.store.bulk_rows import source_text
from bot.store.keys import pack, workspace_range
from bot.store.postgres.history import HistoryQueries
from bot.store.postgres.words import SOURCES_TEXT_OF, document
from bot.store.rows import (
    CLAIM_COLUMNS,
    HISTORY_COLUMNS,
    SOURCE_COLUMNS,
    history_from,
    source_from,
    source_row,
)

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn

# Queue a claim for (re-)embedding; one being embedded right now is asked for again.
_QUEUE_EMBEDDING = (
    "INSERT INTO embedding_queue(claim_id) VALUES ($1) ON CONFLICT (claim_id) DO UPDATE"
    " SET requested = embedding_queue.requested + 1, leased_until = '-infinity'"
)


class ClaimQueries(HistoryQueries):
    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None:
        return await self._fetch_claim(self._pool, workspace, claim_id)

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        row = await self._pool.fetchrow(
            f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.workspace_key = $1 AND c.seed_key = $2",
            key,
            seed_key,
        )
        return self._claim(row) if row else None

    async def get_detail(
        self, workspace: str, claim_id: int, *, recent_changes: int
    ) -> ClaimDetail | None:
        claim = await self.get_claim(workspace, claim_id)
        if claim is None:
            return None
        packed = pack(self._keys[workspace], claim_id)
        sources = tuple(
            source_from(r)
            for r in await self._pool.fetch(
                f"SELECT {SOURCE_COLUMNS} FROM sources WHERE claim_id = $1 ORDER BY id",
                packed,
            )
        )
        changes: list[HistoryEntry] = []
        if recent_changes > 0:
            rows = await self._pool.fetch(
                f"SELECT {HISTORY_COLUMNS} FROM history h WHERE h.claim_id = $1"
                " ORDER BY h.id DESC LIMIT $2",
                packed,
                recent_changes,
            )
            changes = [history_from(workspace, r) for r in rows]
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
        tags = " ".join(claim.tags)
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            # Locks the workspace's row: its claims are numbered one at a time.
            number = int(
                await conn.fetchval(
                    "UPDATE workspaces SET next_claim = next_claim + 1 WHERE key = $1"
                    " RETURNING next_claim - 1",
                    key,
                )
            )
            packed = pack(key, number)
            stamp = at.isoformat()
            row = await conn.fetchrow(
                "INSERT INTO claims(id, workspace_key, number, text, claimant, claimed_on, status,"
                " tags, created_by_id, created_by_name, created_at, updated_at, seed_key, words)"
                " VALUES ($1, $2, $3, $4, $5, $6, 'unverified', $7, $8, $9, $10, $10, $11,"
                " $12::tsvector)"
                f" RETURNING {CLAIM_COLUMNS.replace('c.', '')}",
                packed,
                key,
                number,
                claim.text,
                claim.claimant,
                claim.claimed_on,
                tags,
                actor.user_id,
                actor.name,
                stamp,
                claim.seed_key,
                document(key, claim.text, claim.claimant, tags, ""),
            )
            await conn.executemany(
                "INSERT INTO claim_tags(tag, claim_id) VALUES ($1, $2)",
                [(t, packed) for t in claim.tags],
            )
            await conn.execute(_QUEUE_EMBEDDING, packed)
            await self._record(conn, key, workspace, changes.claim_added(number, claim, actor, at))
            assert row is not None
            created = self._claim(row, workspace)
            if source is not None:  # in the same transaction: both are stored, or neither
                await self._insert_source(conn, key, created, source, actor=actor, at=at)
                row = await conn.fetchrow(
                    f"SELECT {CLAIM_COLUMNS} FROM claims c WHERE c.id = $1", packed
                )
                assert row is not None
                created = self._claim(row, workspace)
        self._remember(workspace, key)
        return created

    async def add_source(
        self, workspace: str, claim_id: int, source: NewSource, *, actor: Person, at: datetime
    ) -> Source:
        async with self._transaction() as conn:
            key = await self._key(workspace)
            claim = None
            if key is not None:
                claim = await self._fetch_claim(conn, workspace, claim_id, for_update=True)
            if key is None or claim is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            source_id = await self._insert_source(conn, key, claim, source, actor=actor, at=at)
        return source.stored(source_id, actor, at)

    async def _insert_source(
        self,
        conn: Conn,
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
        try:
            # A savepoint: a refused link leaves the caller's transaction usable.
            async with conn.transaction():
                source_id = await conn.fetchval(
                    "INSERT INTO sources(claim_id, url, title, outlet, stance, note,"
                    " added_by_id, added_by_name, added_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    *source_row(packed, source, actor, at),
                )
        except asyncpg.UniqueViolationError:
            raise SourceExists(f"claim {claim_id}: {source.url}") from None  # the core words it
        if source_text(source.title, source.note):
            # A headline or a note is searched with the claim it reports on.
            said = await conn.fetchval("SELECT " + SOURCES_TEXT_OF.format(claim="$1"), packed)
            words = document(key, claim.text, claim.claimant, " ".join(claim.tags), said)
            await conn.execute(
                "UPDATE claims SET words = $1::tsvector WHERE id = $2", words, packed
            )
        if source.title:
            # A headline is embedded with the claim too (matching/text.py: document_text).
            await conn.execute(_QUEUE_EMBEDDING, packed)
        await conn.execute(
            "UPDATE claims SET source_count = source_count + 1, version = version + 1,"
            " updated_at = $1 WHERE id = $2",
            at.isoformat(),
            packed,
        )
        change = changes.source_added(claim, source, content_before, actor, at)
        await self._record(conn, key, workspace, change)
        return int(source_id)

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
            # FOR UPDATE: a moderator in another process waits, then sees the new version.
            current = await self._fetch_claim(conn, workspace, claim_id, for_update=True)
            if current is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            if expected_version is not None and current.version != expected_version:
                raise Conflict(f"claim {claim_id}, version {current.version}")
            key = self._keys[workspace]
            packed = pack(key, claim_id)
            await conn.execute(
                "UPDATE claims SET status = $1, version = version + 1, updated_at = $2"
                " WHERE id = $3",
                new_status.value,
                at.isoformat(),
                packed,
            )
            content = await self._content_recorded(conn, packed)
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
        wanted = [s.value for s in statuses]
        while True:  # a page at a time, along the primary key: an export may walk a million
            ids = [
                int(r[0])
                for r in await self._pool.fetch(
                    "SELECT id FROM claims WHERE id > $1 AND id <= $2 AND status = ANY($3)"
                    " ORDER BY id LIMIT 1000",
                    after,
                    hi,
                    wanted,
                )
            ]
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
        rows = await self._pool.fetch(
            "SELECT url FROM sources WHERE url = ANY($1) AND claim_id BETWEEN $2 AND $3",
            list(urls),
            lo,
            hi,
        )
        return {str(r[0]) for r in rows}

    async def claim_with_source(self, workspace: str, url: str) -> int | None:
        key = await self._key(workspace)
        if key is None:
            return None
        lo, hi = workspace_range(key)
        found = await self._pool.fetchval(
            "SELECT min(claim_id) FROM sources WHERE url = $1 AND claim_id BETWEEN $2 AND $3",
            url,
            lo,
            hi,
        )
        return int(found) & 0xFFFFFFFF if found is not None else None
