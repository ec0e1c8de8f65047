"""Index merges and WAL checkpoints happen in the background, after writes settle: the index
stays in few segments, the WAL stays small, and a closed store is one file."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, Person
from bot.core.ports import ImportedClaim
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore, maintenance
from tests.conftest import WS, StepClock

REPORTER = Actor(workspace=WS, user_id="u-rep", display_name="Rita Reporter")
PAUSE = maintenance.SETTLE_SECONDS * 3  # long enough for the upkeep to follow a burst
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


def db_bytes(path: Path) -> int:
    return path.stat().st_size


def index_segments(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(DISTINCT segid) FROM claims_fts_idx").fetchone()[0])


async def bursts_of_adds(path: Path, bursts: int, adds: int) -> tuple[int, int]:
    """Bursts of single adds with a pause after each: (WAL bytes, index segments) at the end."""
    store = await SqliteStore.open(path)
    try:
        service = ClaimService(
            store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
        )
        for burst in range(bursts):
            for n in range(adds):
                await service.add_claim(
                    REPORTER, f"Burst {burst} claim {n}: the ferry fares rose again.", force=True
                )
            await asyncio.sleep(PAUSE)
        return wal_bytes(path), index_segments(path)
    finally:
        await store.close()


async def test_index_segments_are_merged_after_writes_not_during_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twelve adds: each leaves an index segment of its own (FTS5 itself merges only at 16).
    _, merged = await bursts_of_adds(tmp_path / "a.sqlite3", 1, 12)
    monkeypatch.setattr(maintenance, "SETTLE_SECONDS", 3600.0)  # upkeep held back
    _, unmerged = await bursts_of_adds(tmp_path / "b.sqlite3", 1, 12)
    assert unmerged >= 12
    assert merged <= 3


async def test_the_wal_is_checkpointed_between_bursts_of_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wal, _ = await bursts_of_adds(tmp_path / "a.sqlite3", 8, 25)
    # The same writes with the upkeep held back (and SQLite's own checkpoint turned off).
    monkeypatch.setattr(maintenance, "SETTLE_SECONDS", 3600.0)
    held_back, _ = await bursts_of_adds(tmp_path / "b.sqlite3", 8, 25)
    assert wal * 3 < held_back


async def test_a_closed_store_leaves_no_wal_behind(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = await SqliteStore.open(path)
    service = ClaimService(
        store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
    )
    await service.add_claim(REPORTER, "The ferry fares rose again.")
    await store.close()
    assert wal_bytes(path) == 0


def archive(count: int) -> list[ImportedClaim]:
    return [
        ImportedClaim(
            text=f"Archived claim {n}: the council said ferry fares rose by {n % 40} percent.",
            claimant=f"Councillor {n % 17}",
            claimed_on=None,
            tags=("ferries", f"year-{2015 + n % 9}"),
            created_by=Person(user_id="u-arch", name="Archive Desk"),
            created_at=T0 + timedelta(minutes=n),
        )
        for n in range(count)
    ]


async def test_a_bulk_import_keeps_the_wal_to_a_few_batches(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    store = await SqliteStore.open(path)
    try:
        await store.bulk_import(WS, archive(9000), at=T0, batch_size=300)
        # Background upkeep cannot keep up with back-to-back batches: the import checkpoints
        # between batches itself, and waits for a checkpoint every few batches, so the WAL is
        # rewritten from the start instead of holding the whole import (30 batches here).
        assert wal_bytes(path) * 2 < db_bytes(path)
        # And its merges keep up: 30 batches leave at most 3 segments on each of 3 levels
        # (FTS5 merges 4 of a level into one), not 30.
        assert index_segments(path) <= 9
    finally:
        await store.close()


async def test_the_wal_stays_bounded_under_writes_that_never_pause(tmp_path: Path) -> None:
    # Adds back to back: a checkpoint beside them never reached the WAL's end, so the WAL never
    # started over and grew by about 48 KB a claim (170 MB after these 3,000 adds).
    path = tmp_path / "e.sqlite3"
    store = await SqliteStore.open(path)
    try:
        service = ClaimService(
            store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
        )
        largest = 0
        for n in range(3000):
            await service.add_claim(
                REPORTER, f"Claim {n}: the ferry fares rose again, said councillor {n}.", force=True
            )
            largest = max(largest, wal_bytes(path))
        assert largest < 80 * 1024 * 1024
        # Once writes pause, the WAL starts over and is cut back to journal_size_limit.
        await asyncio.sleep(maintenance.MAX_DELAY_SECONDS + PAUSE)
        await service.add_claim(REPORTER, "One more: the ferry fares fell.", force=True)
        assert wal_bytes(path) <= 16 * 1024 * 1024
    finally:
        await store.close()
