"""`/claim lookup` against a local fake of Google's Fact Check Tools: other newsrooms' reviews
with publisher, rating and link; a moderator imports one; no key, a refused key, an exhausted
quota and an unreachable API each end in a plain answer, never the key itself."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.core.commands import CommandRunner
from bot.core.errors import ClaimdeskError, LookupFailed, PermissionDenied
from bot.core.lookup import HOW_TO_GET_A_KEY, Lookup
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.models import ModeratorSettings, Status
from bot.core.ratings import RatingTable
from bot.core.review_import import ReviewImporter
from bot.core.service import ClaimService
from bot.factcheck.google import GoogleFactCheck
from tests.claimreview.fake_google import GOOD_KEY, FakeFactCheckTools
from tests.conftest import WS, Desk, StepClock


@dataclass
class Looking:
    desk: Desk
    service: ClaimService
    fake: FakeFactCheckTools


def _service(desk: Desk, key: str | None, base: str) -> ClaimService:
    matcher = Matcher(desk.store, SemanticModel(None, name="none"))
    importer = ReviewImporter(desk.store, matcher, StepClock(), RatingTable())
    search = GoogleFactCheck(key, base=base) if key else None
    return ClaimService(
        desk.store,
        StepClock(),
        matcher=matcher,
        configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"editors"}))},
        lookup=Lookup(search, importer, desk.store, StepClock()),
    )


@pytest.fixture
async def looking(desk: Desk) -> AsyncIterator[Looking]:
    fake = FakeFactCheckTools()
    await fake.start()
    try:
        yield Looking(desk, _service(desk, GOOD_KEY, fake.base_url), fake)
    finally:
        await fake.stop()


async def test_lookup_shows_publisher_rating_and_link_and_a_moderator_imports_one(
    looking: Looking,
) -> None:
    desk, service = looking.desk, looking.service
    result = await service.lookup(desk.reporter, "kursk troops")
    assert [(r.publisher, r.rating, r.url) for r in result.reviews] == [
        ("Example Checks", "True", "https://factcheck.example/nk-troops-kursk"),
        ("Verify Desk", "False", "https://verify.example/kursk-npp-video"),
    ]
    assert looking.fake.requests[-1]["query"] == "kursk troops"
    with pytest.raises(PermissionDenied):
        await service.import_looked_up(desk.reporter, 2)
    before = await desk.snapshot()
    with pytest.raises(ClaimdeskError, match="Look something up first"):
        await service.import_looked_up(desk.editor, 1)  # the results are each person's own
    await service.lookup(desk.editor, "kursk troops")
    for wrong in ("3", "0", "²", "x"):
        with pytest.raises(ClaimdeskError, match="pick 1 to 2"):
            await service.import_looked_up(desk.editor, wrong)
    assert (await desk.snapshot()) == before
    adopted = await service.import_looked_up(desk.editor, "2")
    assert adopted.outcome == "new"
    shown = await desk.service.show(desk.reporter, adopted.claim_id)
    assert shown.claim.text == "Video shows Kursk nuclear plant on fire after drone strike."
    assert shown.claim.status is Status.DISPUTED
    assert shown.sources[0].url == "https://verify.example/kursk-npp-video"
    again = await service.import_looked_up(desk.editor, "2")
    assert (again.outcome, again.claim_id) == ("already", adopted.claim_id)


async def test_a_lookup_is_imported_by_whichever_process_answers_the_click(
    looking: Looking,
) -> None:
    # A Slack replica or another Discord shard may receive the "Import 1" click: what the
    # person saw is in the store, not in the memory of the process that looked it up.
    desk = looking.desk
    await looking.service.lookup(desk.editor, "kursk troops")
    another = await desk.reopen()
    try:
        elsewhere = ClaimService(
            another,
            StepClock(),
            configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"editors"}))},
            lookup=Lookup(
                None,
                ReviewImporter(
                    another,
                    Matcher(another, SemanticModel(None, name="none")),
                    StepClock(),
                    RatingTable(),
                ),
                another,
                StepClock(),
            ),
            matcher=Matcher.words_only(another),
        )
        adopted = await elsewhere.import_looked_up(desk.editor, "1")
    finally:
        await another.close()
    assert adopted.outcome == "new"
    shown = await desk.service.show(desk.reporter, adopted.claim_id)
    assert shown.sources[0].url == "https://factcheck.example/nk-troops-kursk"


async def test_the_console_lists_the_reviews_with_links(looking: Looking) -> None:
    runner = CommandRunner(looking.service)
    from bot.adapters.console.render import render

    text = render(await runner.run_line(looking.desk.reporter, "/claim lookup north korea"))
    assert "1. “North Korea sent thousands of troops to Kursk to fight for Russia.”" in text
    assert "Example Checks: True" in text
    assert "https://factcheck.example/nk-troops-kursk" in text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_no_key_a_refused_key_no_quota_and_no_network_are_plain_answers(
    looking: Looking,
) -> None:
    desk, base = looking.desk, looking.fake.base_url
    cases = [
        (_service(desk, None, base), HOW_TO_GET_A_KEY),
        (_service(desk, "AIzaTEST-wrong-key", base), "Google refused the Fact Check Tools API key"),
        (_service(desk, GOOD_KEY, f"http://127.0.0.1:{_closed_port()}"), "cannot be reached"),
    ]
    looking.fake.quota = 0
    cases.append((looking.service, "quota is used up"))
    for service, message in cases:
        with pytest.raises(LookupFailed) as refused:
            await service.lookup(desk.reporter, "kursk")
        assert message in str(refused.value)
        assert "AIzaTEST" not in str(refused.value)  # the key is never shown
