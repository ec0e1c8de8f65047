"""A search is whatever a person types: one that would take seconds is refused as too broad,
and meanwhile it holds up no other read."""

from __future__ import annotations

import asyncio
import random
import string
from datetime import UTC, datetime

import pytest

from bot.core.errors import InvalidInput
from bot.core.models import Person
from bot.core.ports import ImportedClaim
from bot.store import search_limits as budget
from tests.conftest import WS, Desk

T0 = datetime(2025, 1, 1, tzinfo=UTC)
EVERY_PREFIX = " ".join(f"{letter}*" for letter in string.ascii_lowercase)


async def _many_claims(desk: Desk, count: int = 20_000) -> None:
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        for _ in range(3000)
    ]
    archive = [
        ImportedClaim(
            text=" ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + ".",
            claimant="",
            claimed_on=None,
            tags=(),
            created_by=Person(user_id="u-arch", name="Archive"),
            created_at=T0,
        )
        for _ in range(count)
    ]
    await desk.store.bulk_import(WS, archive, at=T0, batch_size=count)


async def test_a_search_past_its_budget_is_refused_as_too_broad(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _many_claims(desk)
    before = await desk.snapshot()
    monkeypatch.setattr(budget, "SEARCH_SECONDS", 0.001)
    with pytest.raises(InvalidInput, match="That search is too broad to answer quickly"):
        await desk.service.search(desk.reporter, EVERY_PREFIX)
    assert (await desk.snapshot()) == before
    # The next search has a budget of its own.
    monkeypatch.setattr(budget, "SEARCH_SECONDS", 5.0)
    first = await desk.service.show(desk.reporter, 1)
    page = await desk.service.search(desk.reporter, first.claim.text)
    assert page.items[0].id == 1


async def test_a_slow_search_holds_up_no_show(desk: Desk) -> None:
    # Every prefix of the alphabet: the slowest search a person can type here (a tenth of a
    # second on 20,000 claims, seconds on 200,000). Before searches had a connection of their
    # own, a show waited for it in the same queue.
    await _many_claims(desk)
    search = asyncio.create_task(desk.service.search(desk.reporter, EVERY_PREFIX))
    await asyncio.sleep(0)  # the search has started
    shown = await desk.service.show(desk.reporter, 1)
    assert shown.claim.id == 1
    assert not search.done()
    await search
