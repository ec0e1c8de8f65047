"""Importing an archive in bulk: what goes in is searchable, shown, and audited like any claim."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.core.audit import audit_store
from bot.core.models import ClaimAdded, HistoryKind, Person, Stance, Status
from bot.core.ports import ImportedChange, ImportedClaim, ImportedSource
from bot.core.presentation import ranking_note
from bot.store.sqlite import bulk
from bot.store.sqlite.bulk_writer import BatchWriter, WriterStopped
from tests.conftest import WS, Desk

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
ARCHIVIST = Person(user_id="u-arch", name="Archive Desk")
EDITOR = Person(user_id="u-ed", name="Eddie Editor")
TOPICS = ["harbour dredging", "school meals", "bridge tolls", "tram strike", "river flooding"]


def archive() -> list[ImportedClaim]:
    claims = []
    for n, topic in enumerate(TOPICS):
        at = T0 + timedelta(days=n)
        claims.append(
            ImportedClaim(
                text=f"The council said the {topic} budget doubled in {2020 + n}.",
                claimant=f"Councillor {n}",
                claimed_on=at.date().isoformat(),
                tags=("council", topic.split()[0]),
                created_by=ARCHIVIST,
                created_at=at,
                sources=tuple(
                    ImportedSource(
                        url=f"https://paper.example/{n}/{k}",
                        title="",
                        outlet="paper.example",
                        stance=Stance.REFUTES if k else Stance.SUPPORTS,
                        note="",
                        added_by=ARCHIVIST,
                        at=at + timedelta(minutes=k + 1),
                    )
                    for k in range(n % 3)
                ),
                changes=(
                    ImportedChange(
                        Status.DISPUTED, "Budget papers say +40%", EDITOR, at + timedelta(hours=2)
                    ),
                )
                if n % 2
                else (),
            )
        )
    return claims


async def test_imported_archive_is_searchable_shown_and_audited(desk: Desk) -> None:
    seen: list[int] = []
    count = await desk.store.bulk_import(WS, archive(), at=T0, batch_size=2, progress=seen.append)
    assert count == 5
    assert seen == [2, 4, 5]

    page = await desk.service.search(desk.reporter, "tram")
    assert [(c.id, c.status) for c in page.items] == [(4, Status.DISPUTED)]
    disputed = await desk.service.search(desk.reporter, "council", status="disputed")
    assert sorted(c.id for c in disputed.items) == [2, 4]
    tagged = await desk.service.search(desk.reporter, "", tag="river")
    assert [c.id for c in tagged.items] == [5]

    detail = await desk.service.show(desk.reporter, 3)
    assert detail.claim.claimant == "Councillor 2"
    assert [(s.url, s.stance) for s in detail.sources] == [
        ("https://paper.example/2/0", Stance.SUPPORTS),
        ("https://paper.example/2/1", Stance.REFUTES),
    ]
    history = await desk.service.history(desk.reporter, 2)
    assert [(e.kind, e.new_status, e.detail) for e in history] == [
        (HistoryKind.CREATED, Status.UNVERIFIED, archive()[1].text),
        (HistoryKind.SOURCE_ADDED, None, "supports: https://paper.example/1/0"),
        (HistoryKind.STATUS_CHANGED, Status.DISPUTED, "Budget papers say +40%"),
    ]
    assert (await audit_store(desk.store)).ok


async def test_an_imported_claim_binds_its_content_and_sources_in_the_history(
    desk: Desk,
) -> None:
    # Sources listed out of time order are stored, and folded into the history, by time.
    shuffled = replace(archive()[2], sources=tuple(reversed(archive()[2].sources)))
    await desk.store.bulk_import(WS, [shuffled, *archive()[3:]], at=T0, batch_size=2)
    await desk.service.add_source(desk.reporter, 1, "https://paper.example/late", stance="context")
    assert (await audit_store(desk.store)).ok
    await desk.execute(
        "UPDATE sources SET stance = 'supports' WHERE url = 'https://paper.example/2/1'",
        guards=False,
    )
    messages = [p.message for p in (await audit_store(desk.store)).problems]
    assert messages == [
        "claim #1 does not say what its history recorded: its text, claimant, date, tags or "
        "sources were changed outside the bot"
    ]


async def test_work_after_an_import_continues_numbering_chain_and_index(desk: Desk) -> None:
    await desk.store.bulk_import(WS, archive(), at=T0, batch_size=3)
    outcome = await desk.service.add_claim(
        desk.reporter, "Ferry fares rise by a third next spring."
    )
    assert isinstance(outcome, ClaimAdded)
    assert outcome.claim.id == 6
    # The per-row index trigger is back on once the import is over.
    assert [c.id for c in (await desk.service.search(desk.reporter, "ferry")).items] == [6]
    await desk.service.change_status(desk.editor, 1, "verified", "Matches the audited accounts")
    assert (await audit_store(desk.store)).ok


async def test_import_stays_in_its_workspace(desk: Desk) -> None:
    await desk.store.bulk_import(WS, archive(), at=T0)
    assert (await desk.service.search(desk.outsider, "council")).items == ()


def repeated(count: int, text_of: Callable[[int], str]) -> Iterator[ImportedClaim]:
    for n in range(1, count + 1):
        yield ImportedClaim(
            text=text_of(n),
            claimant="",
            claimed_on=None,
            tags=(),
            created_by=ARCHIVIST,
            created_at=T0 + timedelta(minutes=n),
        )


async def test_a_very_common_word_ranks_the_newest_matches_and_says_so(desk: Desk) -> None:
    def text_of(n: int) -> str:
        if n in (5, 1150):
            return "Budget budget budget."  # the best bm25 match, once old and once recent
        return f"The ministry published budget table number {n} with many other words in it."

    await desk.store.bulk_import(WS, repeated(1200, text_of), at=T0)
    page = await desk.service.search(desk.reporter, "budget", page_size=5)
    # A word in more than 1,000 claims: the newest that hold it are ranked, the best 100 kept.
    assert (page.total, page.total_is_capped, page.ranked_within) == (100, True, 100)
    assert page.items[0].id == 1150
    assert all(item.id > 200 for item in page.items)
    assert "the best 100 are shown" in (ranking_note(page) or "")
    # Narrowing the search below the cap ranks every match again: the old claim comes back.
    narrow = await desk.service.search(desk.reporter, '"budget budget"')
    assert narrow.ranked_within is None
    assert sorted(c.id for c in narrow.items) == [5, 1150]


# How either store refuses a batch that breaks a constraint.
REFUSED = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


def with_a_repeated_source(claims: list[ImportedClaim], index: int) -> list[ImportedClaim]:
    """The archive with one claim citing the same link twice, which the store refuses."""
    bad = claims[index]
    source = ImportedSource(
        url="https://paper.example/twice",
        title="",
        outlet="paper.example",
        stance=Stance.CONTEXT,
        note="",
        added_by=ARCHIVIST,
        at=bad.created_at + timedelta(minutes=1),
    )
    claims[index] = replace(bad, sources=(source, source))
    return claims


async def test_a_failing_batch_stops_the_import_and_keeps_the_batches_before(desk: Desk) -> None:
    seen: list[int] = []
    with pytest.raises(REFUSED, match=r"UNIQUE constraint failed: sources|sources_unique_url"):
        await desk.store.bulk_import(
            WS, with_a_repeated_source(archive(), 2), at=T0, batch_size=2, progress=seen.append
        )
    assert seen == [2]
    assert await desk.query("SELECT number FROM claims ORDER BY number") == [(1,), (2,)]
    assert await desk.query("SELECT count(*) FROM sources") == [(1,)]
    assert [c.id for c in (await desk.service.search(desk.reporter, "council")).items] == [2, 1]
    # The store goes on from the last batch written: numbering, history chain and index.
    outcome = await desk.service.add_claim(desk.reporter, "Ferry fares rise by a third.")
    assert isinstance(outcome, ClaimAdded)
    assert outcome.claim.id == 3
    assert (await audit_store(desk.store)).ok


async def test_a_single_batch_that_fails_changes_nothing(desk: Desk) -> None:
    with pytest.raises(REFUSED):
        await desk.store.bulk_import(WS, with_a_repeated_source(archive(), 4), at=T0)
    assert await desk.query("SELECT count(*) FROM claims") == [(0,)]
    assert await desk.query("SELECT count(*) FROM history") == [(0,)]
    assert (await desk.service.search(desk.reporter, "council")).items == ()


@pytest.mark.sqlite_only
async def test_a_writer_that_dies_is_reported_not_waited_for(desk: Desk) -> None:
    writer = await BatchWriter.start(desk.file)
    try:
        writer._process.kill()
        await asyncio.to_thread(writer._process.wait)
        rows = bulk.prepare(bulk.ChainState(1, 0, ""), 1, WS, archive())
        with pytest.raises(WriterStopped, match=r"writer process stopped \(exit code -9\)"):
            await writer.write(rows)
    finally:
        await writer.close()
    assert writer._process.returncode is not None


async def test_a_cancelled_import_ends_on_a_whole_batch_and_frees_the_store(desk: Desk) -> None:
    first_batch_written = asyncio.Event()
    task = asyncio.create_task(
        desk.store.bulk_import(
            WS,
            repeated(5000, lambda n: f"Ferry report {n}."),
            at=T0,
            batch_size=250,
            progress=lambda _: first_batch_written.set(),
        )
    )
    await first_batch_written.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The writer process is gone with its last batch: the store's own writes go straight in.
    outcome = await desk.service.add_claim(desk.reporter, "Tolls on the new bridge are waived.")
    assert isinstance(outcome, ClaimAdded)
    [(imported,)] = await desk.query("SELECT count(*) FROM claims WHERE text LIKE 'Ferry report%'")
    assert 250 <= imported < 5000
    assert imported % 250 == 0
    assert outcome.claim.id == imported + 1
    assert (await audit_store(desk.store)).ok
