"""Claims and their sources: reading them, and the three changes (a claim added, a source
added, a status changed), each one transaction with its history entry and its outbox event.

What only a dialect can do is a hook its store implements: writing a new claim's words into
its search index, re-indexing what a claim's sources say, queueing a claim for embedding.
Each change is one trip through its transaction: the claim is read (and, on PostgreSQL,
locked) once, checked there, and what the change made of it is returned without reading it
again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from bot.core.errors import Conflict, NotFound
from bot.core.models import Claim, ClaimDetail, HistoryEntry, Person, Source, Status
from bot.core.ports import AlreadyThatStatus, NewClaim, NewRequest, NewSource, SourceExists
from bot.store import changes
from bot.store.keys import pack, workspace_range
from bot.store.rows import history_from, source_from, source_row
from bot.store.sql import statements as q
from bot.store.sql.db import Db
from bot.store.sql.desk import add_request
from bot.store.sql.history import HistoryQueries

_SOURCE_URLS_A_QUERY = 500  # SQLite's limit on parameters, with room


class ClaimQueries(HistoryQueries):
    # ------------------------------------------------------------- dialect hooks
    async def _insert_claim(
        self, db: Db, key: int, packed: int, claim: NewClaim, values: dict[str, object]
    ) -> None:
        """Write the claim's row (ADD_CLAIM's ``values``) and its words to the search index."""
        raise NotImplementedError

    async def _index_source(self, db: Db, key: int, claim: Claim, source: NewSource) -> None:
        """``source`` has a title or a note, and is about to be added: what the claim's sources
        say is searched with it, so re-index the claim with it."""
        raise NotImplementedError

    async def _queue_embedding(self, db: Db, packed: int) -> None:
        """Queue a claim for (re-)embedding; one being embedded right now is asked for again."""
        raise NotImplementedError

    # ----------------------------------------------------------------- reading
    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None:
        return await self._fetch_claim(self._reads, workspace, claim_id)

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        row = await self._reads.row(q.SEEDED, key=key, seed_key=seed_key)
        return self._claim(row, workspace) if row else None

    async def get_detail(
        self, workspace: str, claim_id: int, *, recent_changes: int
    ) -> ClaimDetail | None:
        claim = await self.get_claim(workspace, claim_id)
        if claim is None:
            return None
        return await self._detail_of(self._reads, claim, recent_changes)

    async def _detail_of(self, db: Db, claim: Claim, recent_changes: int) -> ClaimDetail:
        packed = pack(self._keys[claim.workspace], claim.id)
        sources = tuple(source_from(r) for r in await db.rows(q.SOURCES_OF, claim_id=packed))
        recent: list[HistoryEntry] = []
        if recent_changes > 0:
            rows = await db.rows(q.RECENT_HISTORY_OF, claim_id=packed, limit=recent_changes)
            recent = [history_from(claim.workspace, r) for r in reversed(rows)]
        return ClaimDetail(claim=claim, sources=sources, recent_changes=tuple(recent))

    async def claim_numbers(self, workspace: str, statuses: Sequence[Status]) -> AsyncIterator[int]:
        key = await self._key(workspace)
        if key is None or not statuses:
            return
        after, last = workspace_range(key)
        wanted = [s.value for s in statuses]
        # A page at a time, along the primary key: an export may walk a million.
        while ids := [
            int(r[0])
            for r in await self._reads.rows(
                q.CLAIM_NUMBERS, after=after, last=last, statuses=wanted, limit=1000
            )
        ]:
            for packed in ids:
                yield packed & 0xFFFFFFFF
            after = ids[-1]

    async def source_urls_present(self, workspace: str, urls: Sequence[str]) -> set[str]:
        key = await self._key(workspace)
        if key is None or not urls:
            return set()
        first, last = workspace_range(key)
        found: set[str] = set()
        for start in range(0, len(urls), _SOURCE_URLS_A_QUERY):
            chunk = list(urls[start : start + _SOURCE_URLS_A_QUERY])
            rows = await self._reads.rows(q.URLS_PRESENT, urls=chunk, first=first, last=last)
            found.update(str(r[0]) for r in rows)
        return found

    async def claim_with_source(self, workspace: str, url: str) -> int | None:
        key = await self._key(workspace)
        if key is None:
            return None
        first, last = workspace_range(key)
        found = await self._reads.value(q.CLAIM_WITH_SOURCE, url=url, first=first, last=last)
        return int(found) & 0xFFFFFFFF if found is not None else None

    # ----------------------------------------------------------------- changes
    async def add_claim(
        self,
        workspace: str,
        claim: NewClaim,
        *,
        actor: Person,
        at: datetime,
        source: NewSource | None = None,
        recent_changes: int = 0,
        request: NewRequest | None = None,
    ) -> ClaimDetail:
        """Store a new claim, with its first source and its first request if given, in one
        transaction; its card is made of what was written, with no read."""
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, at)
            # On PostgreSQL this locks the workspace's row: its claims are numbered in turn.
            number = int(await db.value(q.NEXT_NUMBER, key=key))
            packed = pack(key, number)
            values: dict[str, object] = {
                "id": packed,
                "key": key,
                "number": number,
                "text": claim.text,
                "claimant": claim.claimant,
                "claimed_on": claim.claimed_on,
                "tags": " ".join(claim.tags),
                "by_id": actor.user_id,
                "by_name": actor.name,
                "at": at.isoformat(),
                "seed_key": claim.seed_key,
            }
            await self._insert_claim(db, key, packed, claim, values)
            await db.run_many(q.ADD_TAG, [{"tag": t, "claim_id": packed} for t in claim.tags])
            await self._queue_embedding(db, packed)
            entries = [
                await self._record(
                    db, key, workspace, changes.claim_added(number, claim, actor, at)
                )
            ]
            created = Claim(
                id=number,
                workspace=workspace,
                text=claim.text,
                claimant=claim.claimant,
                claimed_on=claim.claimed_on,
                status=Status.UNVERIFIED,
                version=1,
                tags=claim.tags,
                created_by=actor,
                created_at=at,
                updated_at=at,
                source_count=0,
            )
            if request is not None:  # a message sent to the desk: its first request
                await add_request(
                    db, key=key, workspace=workspace, claim_id=number, request=request, repeat=None
                )
                created = created.model_copy(update={"requests": 1})
            sources: tuple[Source, ...] = ()
            if source is not None:  # in the same transaction: both are stored, or neither
                created, stored, entry = await self._insert_source(
                    db, key, created, source, actor=actor, at=at
                )
                sources, entries = (stored,), [*entries, entry]
        self._remember(workspace, key)
        recent = tuple(entries[-recent_changes:]) if recent_changes > 0 else ()
        return ClaimDetail(claim=created, sources=sources, recent_changes=recent)

    async def add_source(
        self,
        workspace: str,
        claim_id: int,
        source: NewSource,
        *,
        actor: Person,
        at: datetime,
        recent_changes: int = 0,
    ) -> tuple[ClaimDetail, Source]:
        """Raises NotFound for an unknown claim and SourceExists for a link already attached.
        The card is read in the transaction that made the change: no other change is in it."""
        async with self._write() as db:
            claim = await self._fetch_claim(db, workspace, claim_id, for_update=True)
            if claim is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            now, stored, _ = await self._insert_source(
                db, self._keys[workspace], claim, source, actor=actor, at=at
            )
            detail = await self._detail_of(db, now, recent_changes)
        return detail, stored

    async def _insert_source(
        self,
        db: Db,
        key: int,
        claim: Claim,
        source: NewSource,
        *,
        actor: Person,
        at: datetime,
    ) -> tuple[Claim, Source, HistoryEntry]:
        """Attach ``source`` to ``claim`` inside the caller's transaction (which holds the
        claim's row, so no other process attaches the same link meanwhile); returns the claim
        as it now is, the source as stored and the history entry it made."""
        packed = pack(key, claim.id)
        if source.url is not None and await db.value(
            q.CLAIM_WITH_SOURCE, url=source.url, first=packed, last=packed
        ):
            raise SourceExists(f"claim {claim.id}: {source.url}")  # the core words it
        content_before = await self._content_recorded(db, packed)
        if source.title or source.note:
            await self._index_source(db, key, claim, source)
        row = dict(zip(q.SOURCE_ROW, source_row(packed, source, actor, at), strict=True))
        source_id = int(await db.value(q.ADD_SOURCE, **row))
        if source.title:
            # A headline is embedded with the claim too (matching/text.py: document_text).
            await self._queue_embedding(db, packed)
        await db.run(q.SOURCE_ADDED, id=packed, at=at.isoformat())
        change = changes.source_added(claim, source, content_before, actor, at)
        entry = await self._record(db, key, claim.workspace, change)
        now = claim.model_copy(
            update={
                "source_count": claim.source_count + 1,
                "version": claim.version + 1,
                "updated_at": at,
            }
        )
        return now, source.stored(source_id, actor, at), entry

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
        recent_changes: int = 0,
    ) -> tuple[ClaimDetail, HistoryEntry]:
        """See the Store protocol (bot/core/ports.py): every check is made here, on the row
        this transaction holds, so no other change can come between a check and the write."""
        async with self._write() as db:
            current = await self._fetch_claim(db, workspace, claim_id, for_update=True)
            if current is None:
                raise NotFound(f"claim {claim_id}")  # the core words the refusal
            if expected_version is not None and current.version != expected_version:
                raise Conflict(f"claim {claim_id}, version {current.version}")
            if current.status is new_status:
                raise AlreadyThatStatus(f"claim {claim_id}: {new_status.value}")
            key = self._keys[workspace]
            packed = pack(key, claim_id)
            await db.run(q.SET_STATUS, id=packed, status=new_status.value, at=at.isoformat())
            content = await self._content_recorded(db, packed)
            change = changes.status_changed(current, new_status, reason, content, actor, at)
            entry = await self._record(db, key, workspace, change)
            updated = current.model_copy(
                update={"status": new_status, "version": current.version + 1, "updated_at": at}
            )
            detail = await self._detail_of(db, updated, recent_changes)
        return detail, entry
