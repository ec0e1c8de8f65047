"""What a front end's widgets ask (an autocomplete box, a status button before its reason form,
the notice-channel picker) goes through the same command runner and rules as a typed command:
the same refusals, the same workspace walls, on both stores."""

from __future__ import annotations

import pytest

from bot.core.commands import CommandRunner
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.errors import Conflict, NotFound, PermissionDenied
from bot.core.models import ClaimAdded
from tests.conftest import WS, Desk


async def _add(desk: Desk, text: str, tags: str = "") -> int:
    outcome = await desk.service.add_claim(desk.reporter, text, tags=tags, force=True)
    assert isinstance(outcome, ClaimAdded)
    return outcome.claim.id


async def _suggested(desk: Desk, text: str, actor_is_outsider: bool = False) -> list[int]:
    actor = desk.outsider if actor_is_outsider else desk.reporter
    offered = await CommandRunner(desk.service).ask(
        actor, g.SuggestClaims(text), r.ClaimSuggestions
    )
    return [c.id for c in offered.claims]


async def test_claim_suggestions_by_id_by_word_prefix_and_newest_first(desk: Desk) -> None:
    ferry = await _add(desk, "The ferry fares rose by a third this spring.")
    tram = await _add(desk, "The tram line to the airport opens in May.")
    assert await _suggested(desk, f"#{ferry}") == [ferry]
    assert await _suggested(desk, "airp") == [tram]  # the last word is a prefix
    assert await _suggested(desk, "") == [tram, ferry]  # nothing typed: the newest
    # Half-typed or unknown input offers nothing rather than a refusal.
    assert await _suggested(desk, "#999") == []
    assert await _suggested(desk, '"') == []
    # Another workspace's claims are never offered, not even by id.
    assert await _suggested(desk, f"#{ferry}", actor_is_outsider=True) == []


async def test_tag_suggestions_are_the_workspaces_own(desk: Desk) -> None:
    await _add(desk, "The ferry fares rose by a third this spring.", tags="transport,fares")
    runner = CommandRunner(desk.service)
    mine = await runner.ask(desk.reporter, g.SuggestTags("tr"), r.TagSuggestions)
    theirs = await runner.ask(desk.outsider, g.SuggestTags("tr"), r.TagSuggestions)
    assert (mine.tags, theirs.tags) == (("transport",), ())


async def test_a_status_button_is_refused_before_its_form_as_the_change_would_be(
    desk: Desk,
) -> None:
    number = await _add(desk, "The ferry fares rose by a third this spring.")
    runner = CommandRunner(desk.service)
    allowed = await runner.ask(desk.editor, g.MayChange(str(number), 1), r.MayChangeReply)
    assert allowed.claim.id == number
    with pytest.raises(PermissionDenied):
        await runner.ask(desk.reporter, g.MayChange(str(number), 1), r.MayChangeReply)
    await desk.service.change_status(desk.editor, number, "verified", "Two sources confirm it")
    with pytest.raises(Conflict, match="changed since you looked"):
        await runner.ask(desk.editor, g.MayChange(str(number), 1), r.MayChangeReply)
    with pytest.raises(NotFound):
        await runner.ask(desk.editor, g.MayChange("999", 1), r.MayChangeReply)


async def test_the_notice_channel_is_set_by_a_workspace_manager_only(desk: Desk) -> None:
    runner = CommandRunner(desk.service)
    with pytest.raises(PermissionDenied):
        await runner.ask(desk.editor, g.SetNoticeChannel("C42"), r.NoticeChannelReply)
    assert await desk.store.setting(WS, "notice_channel") is None
    manager = desk.editor.model_copy(update={"can_manage_workspace": True})
    set_to = await runner.ask(manager, g.SetNoticeChannel("C42"), r.NoticeChannelReply)
    assert set_to.channel_id == "C42"
    assert await desk.store.setting(WS, "notice_channel") == "C42"
    off = await runner.ask(manager, g.SetNoticeChannel(None), r.NoticeChannelReply)
    assert off.channel_id is None
    assert await desk.store.setting(WS, "notice_channel") is None
