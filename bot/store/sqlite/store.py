"""The embedded store: one SQLite file through aiosqlite, WAL mode, FTS5 search.

Two connections: a writer whose transactions are serialised by an asyncio lock (SQLite allows one
writer; the lock keeps coroutines from interleaving statements inside each other's transaction)
and a reader that sees committed snapshots without waiting for writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.audit import claim_content, content_now, entry_hash, with_source
from bot.core.errors import Conflict, InvalidInput, NotFound, StoreDamaged
from bot.core.models import (
    Claim,
    ClaimDetail,
    HistoryEntry,
    HistoryKind,
    ModeratorSettings,
    Person,
    SearchPage,
    Source,
    Stance,
    Status,
)
from bot.core.notifications.models import EventKind
from bot.core.ports import (
    ImportedClaim,
    ListQuery,
    ModeratorKind,
    NewClaim,
    NewSource,
    StoredContent,
)
from bot.store.sqlite import bulk, faults, integrity, search_index
from bot.store.sqlite.budget import SearchBudget
from bot.store.sqlite.bulk_writer import BatchWriter
from bot.store.sqlite.connection import connect
from bot.store.sqlite.keys import pack, workspace_range
from bot.store.sqlite.maintenance import Maintenance
from bot.store.sqlite.matching import MatchingQueries
from bot.store.sqlite.migrations import migrate
from bot.store.sqlite.outbox import OutboxQueries, enqueue
from bot.store.sqlite.search import list_workspace, tag_list
from bot.store.sqlite.vectors import WorkspaceIndex

# Queue a claim for (re-)embedding; one being embedded right now is asked for again.
_QUEUE_EMBEDDING = (
    "INSERT INTO embedding_queue(claim_id) VALUES (?)"
    " ON CONFLICT(claim_id) DO UPDATE SET requested = requested + 1"
)
_CLAIM_COLUMNS = (
    "c.id, c.workspace_key, c.number, c.text, c.claimant, c.claimed_on, c.status, c.version, "
    "c.tags, c.source_count, c.created_by_id, c.created_by_name, c.created_at, c.updated_at"
)
_HISTORY_COLUMNS = (
    "h.id & 4294967295, h.claim_id, h.kind, h.old_status, h.new_status, h.actor_id, "
    "h.actor_name, h.detail, h.at, h.prev_hash, h.hash, h.content"
)


def _batches(items: Iterable[ImportedClaim], size: int) -> Iterator[list[ImportedClaim]]:
    batch: list[ImportedClaim] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


class SqliteStore(OutboxQueries, MatchingQueries):
    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        maintenance: Maintenance,
        *,
        write_lock: asyncio.Lock,
        pairs_usable: bool,
        searcher: aiosqlite.Connection,
        search_budget: SearchBudget,
        integrity_check: integrity.BackgroundCheck | None = None,
    ) -> None:
        self._path = path
        self._writer = writer
        self._reader = reader
        # Lexical searches have a connection of their own, under a time budget (budget.py):
        # a slow search holds up neither show nor list.
        self._searcher = searcher
        self._search_budget = search_budget
        self._maintenance = maintenance
        # Whether phrase searches may rely on the word-pair column (see search_index.py).
        self._pairs_usable = pairs_usable
        self._write_lock = write_lock
        self._keys: dict[str, int] = {}
        self._names: dict[int, str] = {}
        self._vector_indexes: dict[int, WorkspaceIndex] = {}
        self._vector_lock = asyncio.Lock()
        self._damaged: StoreDamaged | None = None
        self._integrity_check = integrity_check

    # ------------------------------------------------------------ lifecycle
    @classmethod
    async def open(cls, path: Path) -> SqliteStore:
        """Open (creating it if need be) and upgrade the store at ``path``.

        Raises StoreUnavailable with a plain reason when the file cannot be used: a folder, a
        read-only file, a full disk, or a file that fails SQLite's quick integrity check (a
        damaged store must not take writes: they could be acknowledged and then lost). A
        large file is checked in the background instead (see integrity.py).
        """
        # Said before connecting: aiosqlite's thread outlives a connection that failed.
        faults.refuse_a_folder(path)
        opened: list[aiosqlite.Connection] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = await cls._connect(path, opened)
            await writer.execute("PRAGMA journal_mode = WAL")
            check_first = integrity.checked_first(path)
            if check_first:
                await integrity.check(writer, path, "quick_check")
            await migrate(writer)
            await search_index.rebuild_if_needed(writer)
            pairs_usable = await search_index.tokenizer_agrees(writer)
            # From here on index merges and checkpoints happen in the background.
            await writer.execute("PRAGMA wal_autocheckpoint = 0")
            reader = await cls._connect(path, opened)
            searcher = await cls._connect(path, opened)
            budget = SearchBudget()
            await budget.install(searcher)
            checkpointer = await cls._connect(path, opened)
        except BaseException as error:
            for conn in opened:
                await conn.close()
            explained = faults.explain(error, path)
            if explained is not None:
                raise explained from None
            raise
        lock = asyncio.Lock()
        maintenance = Maintenance(checkpointer, writer, lock)
        background = None if check_first else integrity.BackgroundCheck(path)
        return cls(
            path,
            writer,
            reader,
            maintenance,
            write_lock=lock,
            pairs_usable=pairs_usable,
            searcher=searcher,
            search_budget=budget,
            integrity_check=background,
        )

    @staticmethod
    async def _connect(path: Path, opened: list[aiosqlite.Connection]) -> aiosqlite.Connection:
        conn = await connect(path)
        opened.append(conn)
        return conn

    async def close(self) -> None:
        """Stop the background work and close every connection, each even if one before it
        fails (a damaged or vanished file): a connection left open outlives the event loop."""
        async with contextlib.AsyncExitStack() as closing:
            closing.push_async_callback(self._writer.close)
            closing.push_async_callback(self._reader.close)
            closing.push_async_callback(self._searcher.close)
            closing.push_async_callback(self._maintenance.close)
            if self._integrity_check is not None:
                closing.push_async_callback(self._integrity_check.close)

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

    async def integrity_checked(self) -> None:
        """Return once the background integrity check of a large store is over."""
        if self._integrity_check is not None:
            await self._integrity_check.finished()

    async def check_integrity(self) -> None:
        """SQLite's full integrity check of the file; raises StoreDamaged if it fails."""
        await integrity.check(self._reader, self._path, "integrity_check")

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction. A fault of the file or disk becomes StoreUnavailable, and
        once the file is found damaged no later write is even begun."""
        async with self._write_lock:
            if self._damaged is None and self._integrity_check is not None:
                self._damaged = self._integrity_check.damaged
            if self._damaged is not None:
                raise self._damaged
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                except BaseException:
                    if self._writer.in_transaction:
                        await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                explained = faults.explain(error, self._path)
                if explained is None:
                    raise
                if isinstance(explained, StoreDamaged):
                    self._damaged = explained
                raise explained from error
            self._maintenance.wrote()

    # ----------------------------------------------------------- workspaces
    async def _key(self, workspace: str) -> int | None:
        if workspace in self._keys:
            return self._keys[workspace]
        async with self._reader.execute(
            "SELECT key FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        self._keys[workspace] = row[0]
        self._names[row[0]] = workspace
        return int(row[0])

    async def _ensure_key(self, conn: aiosqlite.Connection, workspace: str, at: datetime) -> int:
        key = await self._key(workspace)
        if key is not None:
            return key
        await conn.execute(
            "INSERT OR IGNORE INTO workspaces(external_id, created_at) VALUES (?, ?)",
            (workspace, at.isoformat()),
        )
        async with conn.execute(
            "SELECT key FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        # Cached only after commit would be stricter; a rolled-back insert just re-inserts.
        return int(row[0])

    async def workspaces(self) -> list[str]:
        async with self._reader.execute("SELECT external_id FROM workspaces ORDER BY key") as cur:
            return [row[0] for row in await cur.fetchall()]

    async def moderators(self, workspace: str) -> ModeratorSettings:
        key = await self._key(workspace)
        if key is None:
            return ModeratorSettings()
        async with self._reader.execute(
            "SELECT kind, ref FROM workspace_moderators WHERE workspace_key = ?", (key,)
        ) as cur:
            rows = await cur.fetchall()
        return ModeratorSettings(
            role_ids=frozenset(r[1] for r in rows if r[0] == "role"),
            user_ids=frozenset(r[1] for r in rows if r[0] == "user"),
        )

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, datetime.now())
            if present:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO workspace_moderators VALUES (?, ?, ?)", (key, kind, ref)
                )
            else:
                cur = await conn.execute(
                    "DELETE FROM workspace_moderators WHERE workspace_key = ? AND kind = ? AND ref = ?",
                    (key, kind, ref),
                )
            return cur.rowcount > 0

    # --------------------------------------------------------------- claims
    def _claim(self, row: sqlite3.Row | tuple[Any, ...], workspace: str | None = None) -> Claim:
        return Claim(
            id=row[2],
            workspace=workspace or self._names[row[1]],
            text=row[3],
            claimant=row[4],
            claimed_on=row[5],
            status=Status(row[6]),
            version=row[7],
            tags=tag_list(row[8]),
            source_count=row[9],
            created_by=Person(user_id=row[10], name=row[11]),
            created_at=_dt(row[12]),
            updated_at=_dt(row[13]),
        )

    async def _fetch_claim(
        self, conn: aiosqlite.Connection, workspace: str, number: int
    ) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        async with conn.execute(
            f"SELECT {_CLAIM_COLUMNS} FROM claims c WHERE c.id = ?", (pack(key, number),)
        ) as cur:
            row = await cur.fetchone()
        return self._claim(row) if row else None

    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None:
        return await self._fetch_claim(self._reader, workspace, claim_id)

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None:
        key = await self._key(workspace)
        if key is None:
            return None
        async with self._reader.execute(
            f"SELECT {_CLAIM_COLUMNS} FROM claims c WHERE c.workspace_key = ? AND c.seed_key = ?",
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
            "SELECT id, url, title, outlet, stance, note, added_by_id, added_by_name, added_at "
            "FROM sources WHERE claim_id = ? ORDER BY id",
            (packed,),
        ) as cur:
            sources = tuple(
                Source(
                    id=r[0],
                    url=r[1],
                    title=r[2],
                    outlet=r[3],
                    stance=Stance(r[4]),
                    note=r[5],
                    added_by=Person(user_id=r[6], name=r[7]),
                    added_at=_dt(r[8]),
                )
                for r in await cur.fetchall()
            )
        changes: list[HistoryEntry] = []
        if recent_changes > 0:
            async with self._reader.execute(
                f"SELECT {_HISTORY_COLUMNS} FROM history h WHERE h.claim_id = ? "
                "ORDER BY h.id DESC LIMIT ?",
                (packed, recent_changes),
            ) as cur:
                changes = [self._history(workspace, r) for r in await cur.fetchall()]
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
            await self._append_history(
                conn,
                key,
                workspace,
                number,
                HistoryKind.CREATED,
                None,
                Status.UNVERIFIED,
                actor,
                claim.text,
                at,
                claim_content(
                    claim.text,
                    claim.claimant,
                    claim.claimed_on,
                    " ".join(claim.tags),
                    actor.user_id,
                ),
            )
            await enqueue(
                conn,
                workspace_key=key,
                workspace=workspace,
                packed_claim=packed,
                claim_id=number,
                kind=EventKind.CLAIM_ADDED,
                claim_text=claim.text,
                status=Status.UNVERIFIED,
                actor=actor,
                at=at,
                tags=claim.tags,
            )
            if source is not None:  # in the same transaction: both are stored, or neither
                async with conn.execute(
                    f"SELECT {_CLAIM_COLUMNS} FROM claims c WHERE c.id = ?", (packed,)
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
                raise NotFound(
                    f"There is no claim #{claim_id} here. Try /claim search to find its id."
                )
            source_id = await self._insert_source(conn, key, claim, source, actor=actor, at=at)
        assert source_id is not None
        return Source(
            id=source_id,
            url=source.url,
            title=source.title,
            outlet=source.outlet,
            stance=source.stance,
            note=source.note,
            added_by=actor,
            added_at=at,
        )

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
                (
                    packed,
                    source.url,
                    source.title,
                    source.outlet,
                    source.stance.value,
                    source.note,
                    actor.user_id,
                    actor.name,
                    at.isoformat(),
                ),
            )
        except sqlite3.IntegrityError:
            raise InvalidInput(f"That link is already a source of claim #{claim_id}.") from None
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
        await self._append_history(
            conn,
            key,
            workspace,
            claim_id,
            HistoryKind.SOURCE_ADDED,
            None,
            None,
            actor,
            f"{source.stance.value}: {source.url or source.title}",
            at,
            with_source(
                content_before,
                source.url,
                source.title,
                source.outlet,
                source.stance.value,
                source.note,
            ),
        )
        await enqueue(
            conn,
            workspace_key=key,
            workspace=workspace,
            packed_claim=packed,
            claim_id=claim_id,
            kind=EventKind.SOURCE_ADDED,
            claim_text=claim.text,
            status=claim.status,
            actor=actor,
            at=at,
            source_url=source.url,
            source_stance=source.stance,
            source_outlet=source.outlet or source.title,
            tags=claim.tags,
        )
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
                raise NotFound(
                    f"There is no claim #{claim_id} here. Try /claim search to find its id."
                )
            if expected_version is not None and current.version != expected_version:
                raise Conflict(f"Claim #{claim_id} changed since it was read.")
            key = self._keys[workspace]
            await conn.execute(
                "UPDATE claims SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
                (new_status.value, at.isoformat(), pack(key, claim_id)),
            )
            entry = await self._append_history(
                conn,
                key,
                workspace,
                claim_id,
                HistoryKind.STATUS_CHANGED,
                current.status,
                new_status,
                actor,
                reason,
                at,
                await self._content_recorded(conn, pack(key, claim_id)),
            )
            await enqueue(
                conn,
                workspace_key=key,
                workspace=workspace,
                packed_claim=pack(key, claim_id),
                claim_id=claim_id,
                kind=EventKind.STATUS_CHANGED,
                claim_text=current.text,
                status=new_status,
                actor=actor,
                at=at,
                old_status=current.status,
                new_status=new_status,
                reason=reason,
                tags=current.tags,
            )
            updated = await self._fetch_claim(conn, workspace, claim_id)
        assert updated is not None
        return updated, entry

    async def bulk_import(
        self,
        workspace: str,
        claims: Iterable[ImportedClaim],
        *,
        at: datetime,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Import an archive, one transaction per batch; returns claims imported.

        The write lock is held throughout (the history chain must not interleave with other
        writes), but each batch commits on its own, so readers and a crash lose at most one
        batch. An import of several batches is written by a child process while this one
        prepares the next batch (see bulk_writer.py); a single batch is written here.
        Notifications are not raised for archived claims: they are history, not news.
        """
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                key = await self._ensure_key(self._writer, workspace, at)
                state = await bulk.read_state(self._writer, key)
            finally:
                await self._writer.execute("COMMIT")
            self._keys[workspace] = key
            self._names[key] = workspace
            batches = _batches(claims, batch_size)
            first = next(batches, None)
            if first is None:
                return 0
            second = next(batches, None)
            if second is None:
                await bulk.write_batch(self._writer, bulk.prepare(state, key, workspace, first))
                await bulk.checkpoint(self._writer)
                if progress:
                    progress(len(first))
                return len(first)
            return await self._import_in_writer(
                itertools.chain((first, second), batches), state, key, workspace, progress
            )

    async def _import_in_writer(
        self,
        batches: Iterable[list[ImportedClaim]],
        state: bulk.ChainState,
        key: int,
        workspace: str,
        progress: Callable[[int], None] | None,
    ) -> int:
        writer = await BatchWriter.start(self._path)
        handed_over = 0
        try:
            for batch in batches:
                rows = bulk.prepare(state, key, workspace, batch)
                await writer.write(rows)  # returns once the batch before is written
                if handed_over and progress:
                    progress(handed_over)
                handed_over += len(batch)
            await writer.finish()
        finally:
            await writer.close()
        if progress:
            progress(handed_over)
        return handed_over

    # -------------------------------------------------------------- history
    async def _append_history(
        self,
        conn: aiosqlite.Connection,
        key: int,
        workspace: str,
        claim_id: int,
        kind: HistoryKind,
        old: Status | None,
        new: Status | None,
        actor: Person,
        detail: str,
        at: datetime,
        content: str,
    ) -> HistoryEntry:
        async with conn.execute(
            "SELECT history_seq, history_head FROM workspaces WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        seq, prev = int(row[0]) + 1, str(row[1])
        digest = entry_hash(
            prev_hash=prev,
            workspace=workspace,
            seq=seq,
            claim_id=claim_id,
            kind=kind,
            old_status=old,
            new_status=new,
            actor_id=actor.user_id,
            actor_name=actor.name,
            detail=detail,
            at=at,
            content=content,
        )
        await conn.execute(
            "INSERT INTO history(id, claim_id, kind, old_status, new_status,"
            " actor_id, actor_name, detail, at, prev_hash, hash, content)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pack(key, seq),
                pack(key, claim_id),
                kind.value,
                old.value if old else None,
                new.value if new else None,
                actor.user_id,
                actor.name,
                detail,
                at.isoformat(),
                prev,
                digest,
                content,
            ),
        )
        await conn.execute(
            "UPDATE workspaces SET history_seq = ?, history_head = ? WHERE key = ?",
            (seq, digest, key),
        )
        return HistoryEntry(
            workspace=workspace,
            seq=seq,
            claim_id=claim_id,
            kind=kind,
            old_status=old,
            new_status=new,
            actor=actor,
            detail=detail,
            at=at,
            prev_hash=prev,
            hash=digest,
            content=content,
        )

    async def _content_recorded(self, conn: aiosqlite.Connection, packed: int) -> str:
        """The content digest the claim's history last recorded: a change that does not alter
        what the claim says carries it on, and a new source folds into it. Not recomputed from
        the rows, which would launder an edit made outside the bot into the history. A claim
        last changed before digests were kept starts from what its rows say now."""
        async with conn.execute(
            "SELECT content FROM history WHERE claim_id = ? ORDER BY id DESC LIMIT 1", (packed,)
        ) as cur:
            row = await cur.fetchone()
        if row and row[0]:
            return str(row[0])
        async for stored in self._contents(conn, packed, packed):
            return content_now(stored)
        raise NotFound("That claim is gone.")

    @staticmethod
    def _history(workspace: str, r: sqlite3.Row | tuple[Any, ...]) -> HistoryEntry:
        return HistoryEntry(
            workspace=workspace,
            seq=r[0],
            claim_id=r[1] & 0xFFFFFFFF,
            kind=HistoryKind(r[2]),
            old_status=Status(r[3]) if r[3] else None,
            new_status=Status(r[4]) if r[4] else None,
            actor=Person(user_id=r[5], name=r[6]),
            detail=r[7],
            at=_dt(r[8]),
            prev_hash=r[9],
            hash=r[10],
            content=r[11],
        )

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._reader.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM history h WHERE h.claim_id = ? ORDER BY h.id",
            (pack(key, claim_id),),
        ) as cur:
            return [self._history(workspace, r) for r in await cur.fetchall()]

    async def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]:
        key = await self._key(workspace)
        if key is None:
            return
        async with self._reader.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM history h WHERE h.id BETWEEN ? AND ? ORDER BY h.id",
            workspace_range(key),
        ) as cur:
            while rows := await cur.fetchmany(500):
                for r in rows:
                    yield self._history(workspace, r)

    async def recorded_head(self, workspace: str) -> tuple[int, str]:
        async with self._reader.execute(
            "SELECT history_seq, history_head FROM workspaces WHERE external_id = ?", (workspace,)
        ) as cur:
            row = await cur.fetchone()
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        key = await self._key(workspace)
        if key is None:
            return []
        # The last status-bearing entry of each claim must name the status the claim has now.
        async with self._reader.execute(
            "SELECT c.number, c.status, ("
            "  SELECT h.new_status FROM history h WHERE h.claim_id = c.id"
            "  AND h.new_status IS NOT NULL ORDER BY h.id DESC LIMIT 1) AS expected "
            "FROM claims c WHERE c.workspace_key = ? AND c.status IS NOT expected "
            "ORDER BY c.number LIMIT 50",
            (key,),
        ) as cur:
            return [
                (r[0], Status(r[1]), Status(r[2]) if r[2] else None) for r in await cur.fetchall()
            ]

    async def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        key = await self._key(workspace)
        if key is None:
            return
        lo, hi = workspace_range(key)
        async for stored in self._contents(self._reader, lo, hi):
            yield stored

    @staticmethod
    async def _contents(
        conn: aiosqlite.Connection, lo: int, hi: int
    ) -> AsyncIterator[StoredContent]:
        """Claims with ids in [lo, hi] as their rows say now, a chunk at a time."""
        after = lo - 1
        while True:
            async with conn.execute(
                "SELECT c.id, c.number, c.text, c.claimant, c.claimed_on, c.tags,"
                " c.created_by_id, (SELECT h.content FROM history h WHERE h.claim_id = c.id"
                "   ORDER BY h.id DESC LIMIT 1),"
                " EXISTS (SELECT 1 FROM history h WHERE h.claim_id = c.id)"
                " FROM claims c WHERE c.id > ? AND c.id <= ? ORDER BY c.id LIMIT 500",
                (after, hi),
            ) as cur:
                claims = list(await cur.fetchall())
            if not claims:
                return
            sources: dict[int, list[tuple[str | None, str, str, str, str]]] = {}
            async with conn.execute(
                "SELECT claim_id, url, title, outlet, stance, note FROM sources"
                " WHERE claim_id BETWEEN ? AND ? ORDER BY claim_id, id",
                (claims[0][0], claims[-1][0]),
            ) as cur:
                for r in await cur.fetchall():
                    sources.setdefault(r[0], []).append((r[1], r[2], r[3], r[4], r[5]))
            for r in claims:
                yield StoredContent(
                    number=r[1],
                    text=r[2],
                    claimant=r[3],
                    claimed_on=r[4],
                    tags=r[5],
                    created_by_id=r[6],
                    sources=tuple(sources.get(r[0], ())),
                    recorded=r[7],
                    has_history=bool(r[8]),
                )
            after = claims[-1][0]

    async def claims_missing(self, workspace: str) -> list[int]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._reader.execute(
            "SELECT DISTINCT h.claim_id & 4294967295 FROM history h"
            " WHERE h.id BETWEEN ? AND ?"
            " AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.id = h.claim_id)"
            " ORDER BY 1 LIMIT 50",
            workspace_range(key),
        ) as cur:
            return [int(r[0]) for r in await cur.fetchall()]

    # --------------------------------------------------------------- search
    async def list_claims(self, workspace: str, query: ListQuery) -> SearchPage:
        key = await self._key(workspace)
        if key is None:
            return SearchPage(
                items=(), page=query.page, page_size=query.page_size, total=0, total_is_capped=False
            )
        return await list_workspace(self._reader, key, query)

    async def tag_names(self, workspace: str, prefix: str, *, limit: int) -> list[str]:
        key = await self._key(workspace)
        if key is None:
            return []
        lo, hi = workspace_range(key)
        # Walks the (tag, claim_id) index; DISTINCT stops early thanks to LIMIT.
        async with self._reader.execute(
            "SELECT DISTINCT tag FROM claim_tags WHERE tag >= ? AND tag < ? "
            "AND claim_id BETWEEN ? AND ? ORDER BY tag LIMIT ?",
            (prefix, prefix + "\U0010ffff", lo, hi, limit),
        ) as cur:
            return [r[0] for r in await cur.fetchall()]
