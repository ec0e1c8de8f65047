"""Importing an archive in bulk: what goes in is searchable, shown, and audited like any claim."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from bot.core.models import ClaimAdded, HistoryKind, Person, Stance, Status
from bot.core.ports import ImportedChange, ImportedClaim, ImportedSource
from bot.core.presentation import ranking_note
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
    assert (await desk.service.audit()).ok


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
    assert (await desk.service.audit()).ok


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
    assert (page.total, page.total_is_capped, page.ranked_within) == (1000, True, 1000)
    assert page.items[0].id == 1150
    assert all(item.id > 200 for item in page.items)
    assert "best of the newest 1,000" in (ranking_note(page) or "")
    # Narrowing the search below the cap ranks every match again: the old claim comes back.
    narrow = await desk.service.search(desk.reporter, '"budget budget"')
    assert narrow.ranked_within is None
    assert sorted(c.id for c in narrow.items) == [5, 1150]
