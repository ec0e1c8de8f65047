"""The claim workflow as a newsroom uses it: add, evidence, moderation, search, show, history."""

from __future__ import annotations

import contextlib

import pytest

from bot.core.errors import Conflict, InvalidInput, PermissionDenied
from bot.core.models import ClaimAdded, DuplicateSuspected, HistoryKind, Stance, Status
from tests.conftest import Desk


async def add(desk: Desk, text: str, **kw: object):
    outcome = await desk.service.add_claim(desk.reporter, text, **kw)  # type: ignore[arg-type]
    assert isinstance(outcome, ClaimAdded), outcome
    return outcome.claim


async def test_new_claim_starts_unverified_with_short_ids(desk: Desk) -> None:
    first = await add(
        desk,
        "The mayor said the bridge will reopen in May.",
        claimant="Mayor Jones",
        tags="transport,city",
    )
    second = await add(
        desk, "Unemployment fell to 3.1 percent in October.", claimant="Labour ministry"
    )
    assert (first.id, second.id) == (1, 2)
    assert first.status is Status.UNVERIFIED
    assert first.tags == ("transport", "city")
    assert first.created_by.name == "Rita Reporter"


async def test_add_with_source_attaches_it(desk: Desk) -> None:
    claim = await add(
        desk,
        "The mayor said the bridge will reopen in May.",
        source_url="https://news.example.org/bridge",
        source_stance="supports",
    )
    detail = await desk.service.show(desk.reporter, claim.id)
    assert [(s.url, s.outlet, s.stance) for s in detail.sources] == [
        ("https://news.example.org/bridge", "news.example.org", Stance.SUPPORTS)
    ]
    assert detail.claim.source_count == 1


async def test_near_duplicate_is_not_stored_unless_forced(desk: Desk) -> None:
    original = await add(desk, "Russian forces have regained full control of the Kursk region.")
    before = await desk.snapshot()
    outcome = await desk.service.add_claim(
        desk.reporter, "Russian forces regained full control of the Kursk region"
    )
    assert isinstance(outcome, DuplicateSuspected)
    assert outcome.candidates[0].id == original.id
    assert (await desk.snapshot()) == before
    forced = await desk.service.add_claim(
        desk.reporter, "Russian forces regained full control of the Kursk region", force=True
    )
    assert isinstance(forced, ClaimAdded)
    assert forced.claim.id == 2


async def test_different_claim_sharing_words_is_not_a_duplicate(desk: Desk) -> None:
    await add(desk, "Russian forces have regained full control of the Kursk region.")
    outcome = await desk.service.add_claim(
        desk.reporter, "North Korean troops fought alongside Russian forces in Kursk."
    )
    assert isinstance(outcome, ClaimAdded)


async def test_anyone_adds_evidence_and_it_is_in_history(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    added = await desk.service.add_source(
        desk.reporter,
        f"#{claim.id}",
        "https://www.example.com/a",
        stance="refutes",
        note="Council minutes say June",
    )
    source = added.source
    assert (source.outlet, source.stance, source.note) == (
        "example.com",
        Stance.REFUTES,
        "Council minutes say June",
    )
    history = await desk.service.history(desk.reporter, claim.id)
    assert [e.kind for e in history] == [HistoryKind.CREATED, HistoryKind.SOURCE_ADDED]
    assert history[1].detail == "refutes: https://www.example.com/a"


async def test_same_link_twice_is_refused(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    await desk.service.add_source(desk.reporter, claim.id, "https://www.example.com/a")
    before = await desk.snapshot()
    with pytest.raises(InvalidInput, match="already a source"):
        await desk.service.add_source(desk.editor, claim.id, "https://www.example.com/a")
    assert (await desk.snapshot()) == before


async def test_moderator_changes_status_with_reason_and_history_records_it(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    updated, entry = await desk.service.change_status(
        desk.editor, claim.id, "disputed", "Council minutes say June"
    )
    assert updated.claim.status is Status.DISPUTED
    assert updated.recent_changes[-1] == entry
    assert (entry.old_status, entry.new_status, entry.actor.name, entry.detail) == (
        Status.UNVERIFIED,
        Status.DISPUTED,
        "Eddie Editor",
        "Council minutes say June",
    )
    detail = await desk.service.show(desk.reporter, claim.id)
    assert detail.claim.status is Status.DISPUTED
    assert detail.recent_changes[-1].detail == "Council minutes say June"


async def test_non_moderator_cannot_change_status(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    before = await desk.snapshot()
    with pytest.raises(PermissionDenied, match="Only moderators"):
        await desk.service.change_status(desk.reporter, claim.id, "verified", "I checked")
    assert (await desk.snapshot()) == before


async def test_moderators_set_in_workspace_settings_count(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    admin = desk.editor.model_copy(update={"role_ids": frozenset(), "can_manage_workspace": True})
    with pytest.raises(PermissionDenied):
        await desk.service.set_moderator(desk.reporter, "user", "u-rep", present=True)
    assert await desk.service.set_moderator(admin, "user", "u-rep", present=True)
    await desk.service.change_status(
        desk.reporter, claim.id, "verified", "Confirmed with the council"
    )
    assert await desk.service.set_moderator(admin, "user", "u-rep", present=False)
    with pytest.raises(PermissionDenied):
        await desk.service.change_status(desk.reporter, claim.id, "disputed", "Changed my mind")


async def test_status_change_refused_when_claim_changed_since_moderator_looked(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    seen = (await desk.service.show(desk.editor, claim.id)).claim.version
    # Another moderator acts first.
    await desk.service.change_status(
        desk.editor, claim.id, "verified", "Confirmed by council", expected_version=seen
    )
    before = await desk.snapshot()
    with pytest.raises(Conflict, match="changed since you looked"):
        await desk.service.change_status(
            desk.editor, claim.id, "disputed", "Minutes say June", expected_version=seen
        )
    assert (await desk.snapshot()) == before


async def test_new_evidence_also_counts_as_a_change(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    seen = claim.version
    await desk.service.add_source(
        desk.reporter, claim.id, "https://example.com/new", stance="refutes"
    )
    with pytest.raises(Conflict):
        await desk.service.change_status(
            desk.editor, claim.id, "verified", "Looks right", expected_version=seen
        )


async def test_same_status_again_is_refused(desk: Desk) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    with pytest.raises(InvalidInput, match="already unverified"):
        await desk.service.change_status(desk.editor, claim.id, "unverified", "no change")


async def test_search_ranks_stems_filters_and_pages(desk: Desk) -> None:
    await add(desk, "The mayor said the bridge will reopen in May.", tags="transport")
    await add(
        desk, "Bridges across the river are unsafe, an engineer claims.", tags="transport,safety"
    )
    await add(desk, "Unemployment fell to 3.1 percent in October.", tags="economy")
    bridge = await desk.service.search(desk.reporter, "bridge")
    assert {i.id for i in bridge.items} == {1, 2}  # "bridges" matches via porter stemming
    assert bridge.total == 2
    await desk.service.change_status(desk.editor, 2, "disputed", "Inspection report says safe")
    disputed = await desk.service.search(desk.reporter, "bridge", status="disputed")
    assert [i.id for i in disputed.items] == [2]
    safety = await desk.service.search(desk.reporter, "", tag="safety")
    assert [i.id for i in safety.items] == [2]
    phrase = await desk.service.search(desk.reporter, '"reopen in may"')
    assert [i.id for i in phrase.items] == [1]
    page1 = await desk.service.search(desk.reporter, "", page_size=2)
    page2 = await desk.service.search(desk.reporter, "", page=2, page_size=2)
    assert (page1.pages, page1.has_next, page2.has_next) == (2, True, False)
    assert [i.id for i in page1.items] + [i.id for i in page2.items] == [3, 2, 1]


async def test_words_and_a_tag_match_that_exact_tag_only(desk: Desk) -> None:
    await add(desk, "Shelling hit the border town overnight.", tags="kursk-region")
    # Two tags whose words, side by side, read like the first one: not the same tag.
    await add(desk, "Shelling damaged a school near the border.", tags="kursk,region")
    await add(desk, "A new ferry line opened in the region.", tags="kursk-region")
    found = await desk.service.search(desk.reporter, "shelling", tag="kursk-region")
    assert [i.id for i in found.items] == [1]
    assert found.total == 1


async def test_search_treats_fts_syntax_as_plain_words(desk: Desk) -> None:
    await add(desk, "The mayor said the bridge will reopen in May.")
    for text in ["bridge AND OR NOT", "text:mayor", '"unclosed', "NEAR(bridge", "*"]:
        # A clear refusal is fine; an sqlite error escaping would fail the test.
        with contextlib.suppress(InvalidInput):
            await desk.service.search(desk.reporter, text)


async def test_check_text_finds_the_claim_a_message_repeats(desk: Desk) -> None:
    await add(
        desk,
        "Russian forces have regained full control of the Kursk region.",
        claimant="Vladimir Putin",
    )
    await add(desk, "Unemployment fell to 3.1 percent in October.")
    matches = await desk.service.check_text(
        desk.reporter, "Did you see? Putin says Russian forces have full control of Kursk now"
    )
    assert matches[0].id == 1
    assert all(m.id != 2 for m in matches)


async def test_tag_suggestions_are_per_workspace_prefix_matches(desk: Desk) -> None:
    await add(desk, "The mayor said the bridge will reopen in May.", tags="transport,trains")
    await desk.service.add_claim(
        desk.outsider, "Some other newsroom's claim about trams.", tags="trams"
    )
    assert await desk.service.tag_suggestions(desk.reporter, "tr") == ["trains", "transport"]


_STORE_CALLS = ("get_claim", "get_detail", "history", "add_claim", "add_source", "change_status")


def _count_store_calls(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the claim store's reads and changes the service calls from now on."""
    asked: list[str] = []
    for name in _STORE_CALLS:
        real = getattr(desk.store, name)

        def counted(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            asked.append(_name)
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(desk.store, name, counted)
    return asked


async def test_adding_a_claim_is_one_trip_and_returns_its_card(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _count_store_calls(desk, monkeypatch)
    outcome = await desk.service.add_claim(
        desk.reporter,
        "The mayor said the bridge will reopen in May.",
        tags="transport",
        source_url="https://example.org/minutes",
        source_stance="refutes",
    )
    assert isinstance(outcome, ClaimAdded)
    assert asked == ["add_claim"]
    card = outcome.detail
    assert [(s.url, s.stance) for s in card.sources] == [
        ("https://example.org/minutes", Stance.REFUTES)
    ]
    assert [e.kind for e in card.recent_changes] == [
        HistoryKind.CREATED,
        HistoryKind.SOURCE_ADDED,
    ]
    monkeypatch.undo()
    assert await desk.service.show(desk.reporter, card.claim.id) == card


async def test_adding_a_source_is_one_trip_and_returns_the_card_with_it(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    await desk.service.add_source(desk.reporter, claim.id, "https://example.org/minutes")
    asked = _count_store_calls(desk, monkeypatch)
    added = await desk.service.add_source(
        desk.reporter, claim.id, "https://example.org/timetable", stance="supports"
    )
    assert asked == ["add_source"]
    card = added.detail
    assert (card.claim.version, card.claim.source_count) == (3, 2)
    assert [s.url for s in card.sources] == [
        "https://example.org/minutes",
        "https://example.org/timetable",
    ]
    assert card.sources[-1] == added.source
    assert card.recent_changes[-1].kind is HistoryKind.SOURCE_ADDED
    monkeypatch.undo()
    assert await desk.service.show(desk.reporter, claim.id) == card


async def test_a_status_change_reads_the_claim_once_and_returns_its_card(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    await desk.service.add_source(desk.reporter, claim.id, "https://example.org/minutes")
    asked = _count_store_calls(desk, monkeypatch)
    card, entry = await desk.service.change_status(
        desk.editor, claim.id, "disputed", "Council minutes say June", expected_version=2
    )
    assert asked == ["change_status"]
    assert (card.claim.status, card.claim.version) == (Status.DISPUTED, 3)
    assert [s.url for s in card.sources] == ["https://example.org/minutes"]
    assert [e.kind for e in card.recent_changes] == [
        HistoryKind.CREATED,
        HistoryKind.SOURCE_ADDED,
        HistoryKind.STATUS_CHANGED,
    ]
    assert card.recent_changes[-1] == entry
    monkeypatch.undo()
    assert await desk.service.show(desk.reporter, claim.id) == card


async def test_the_same_status_again_is_refused_inside_the_change_and_changes_nothing(
    desk: Desk,
) -> None:
    claim = await add(desk, "The mayor said the bridge will reopen in May.")
    await desk.service.change_status(desk.editor, claim.id, "verified", "Minutes say May")
    before = await desk.snapshot()
    with pytest.raises(InvalidInput, match=r"already verified; nothing changed"):
        await desk.service.change_status(desk.editor, claim.id, "verified", "Again")
    assert (await desk.snapshot()) == before
