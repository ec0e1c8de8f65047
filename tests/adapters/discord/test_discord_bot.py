"""The real discord.py client, logged in to the fake Discord, driven like a newsroom uses it."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from bot.core.errors import NotFound
from bot.core.models import HistoryKind, Status
from tests.adapters.discord.conftest import EDITORS, OTHER_PAPER, TOKEN, DiscordEnv
from tests.adapters.discord.fake_discord import User, custom_ids

EPHEMERAL = 64


def db_state(env: DiscordEnv) -> list[tuple[object, ...]]:
    with sqlite3.connect(env.path) as conn:
        return (
            conn.execute("SELECT * FROM claims ORDER BY id").fetchall()
            + conn.execute("SELECT * FROM history ORDER BY id").fetchall()
        )


async def test_logs_in_without_privileged_intents_and_syncs_every_command(env: DiscordEnv) -> None:
    identify = env.fake.identify_payloads[0]
    assert identify["token"] == TOKEN
    assert identify["intents"] == 1  # GUILDS only: no members, presences or message content
    names = {(c["name"], c.get("type", 1)) for c in env.fake.synced["global"]}
    assert names == {
        ("claim", 1),
        ("claimdesk", 1),
        ("Check claims", 3),
        ("subscribe", 1),
        ("unsubscribe", 1),
        ("subscriptions", 1),
    }
    claim = next(c for c in env.fake.synced["global"] if c["name"] == "claim")
    assert {o["name"] for o in claim["options"]} == {
        "search",
        "show",
        "add",
        "source",
        "verify",
        "dispute",
        "unverify",
        "history",
        "lookup",
        "queue",
        "requests",
        "assign",
        "unassign",
    }
    admin = next(c for c in env.fake.synced["global"] if c["name"] == "claimdesk")
    assert int(admin["default_member_permissions"]) == 0x20  # Manage Server
    assert TOKEN not in str([r.body for r in env.fake.requests])


async def test_search_shows_ranked_matches_ephemerally(env: DiscordEnv) -> None:
    ex = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "search", query="kursk", status="disputed"
    )
    assert ex.callback["type"] == 4
    data = ex.callback["data"]
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "Claims matching “kursk” (status: disputed)"
    lines = embed["description"].splitlines()
    assert lines[0].startswith(
        "**#1** ⛔ Russian forces have regained full control of the Kursk region. — *Vladimir Putin*"
    )
    # Each match says why it was found, under it.
    assert lines[1] == "_matched kursk in the claim_"
    assert len(lines) == 4
    assert embed["footer"]["text"] == "2 matches · page 1 of 1"
    assert data.get("components", []) == []  # one page: no paging buttons


async def test_paging_buttons_move_through_results(env: DiscordEnv) -> None:
    ex = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "search", query="kursk", share=True
    )
    message = ex.callback["data"]
    assert not message.get("flags", 0) & EPHEMERAL
    assert message["embeds"][0]["footer"]["text"] == "9 matches · page 1 of 1"
    # Add enough claims for two pages.
    for text in [
        "The Kursk regional governor resigned in December 2024.",
        "Drone debris fell on a Kursk apartment block on 3 May.",
        "Kursk airport will reopen to civilian flights this summer.",
        "Evacuees from Kursk oblast received compensation payments of 10,000 roubles.",
    ]:
        added = await env.fake.slash(env.newsroom, env.reporter, "claim", "add", text=text)
        assert added.callback["data"]["content"].startswith("**Rita Reporter** added claim")
    ex = await env.fake.slash(env.newsroom, env.reporter, "claim", "search", query="kursk")
    first = ex.callback["data"]
    assert first["embeds"][0]["footer"]["text"] == "13 matches · page 1 of 2"
    assert custom_ids(first) == ["cd:pg:1:::kursk", "cd:pg:2:::kursk"]
    following = "cd:pg:2:::kursk"
    prev_button = first["components"][0]["components"][0]
    assert prev_button["disabled"] is True
    paged = await env.fake.press(env.newsroom, env.reporter, first, following)
    assert paged.callback["type"] == 7  # the same message is updated in place
    page2 = paged.callback["data"]
    assert page2["embeds"][0]["footer"]["text"] == "13 matches · page 2 of 2"
    results = [line for line in page2["embeds"][0]["description"].splitlines() if line[:3] == "**#"]
    assert len(results) == 3
    assert page2["components"][0]["components"][1]["disabled"] is True


async def test_show_is_coloured_by_status_with_sources_and_changes(env: DiscordEnv) -> None:
    ex = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="3")
    embed = ex.callback["data"]["embeds"][0]
    assert embed["title"] == "#3 · ✅ Verified"
    assert embed["color"] == 0x2E9E5B
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Claimant"] == "Article author"
    assert fields["Claimed"] == "2024-08"
    assert fields["Sources (1)"].startswith(
        "1. **supports** · Putin claims complete defiance of Ukraine in Kursk region"
    )
    assert "unverified → verified" in fields["Recent changes"]
    # A reporter viewing privately gets no moderation buttons: only "Take it", since nobody
    # is on the claim.
    assert custom_ids(ex.callback["data"]) == ["cd:take:3"]
    disputed = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="#1")
    assert disputed.callback["data"]["embeds"][0]["color"] == 0xD64545
    unverified = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="4")
    assert unverified.callback["data"]["embeds"][0]["color"] == 0xE0A526


async def test_non_moderator_pressing_a_status_button_is_refused(env: DiscordEnv) -> None:
    shown = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="4", share=True)
    message = shown.callback["data"]
    assert custom_ids(message) == ["cd:st:4:2:verified", "cd:st:4:2:disputed", "cd:take:4"]
    before = db_state(env)
    pressed = await env.fake.press(env.newsroom, env.reporter, message, "cd:st:4:2:verified")
    assert pressed.callback["type"] == 4
    assert pressed.callback["data"]["flags"] & EPHEMERAL
    assert pressed.callback["data"]["content"].startswith("✖ Only moderators")
    assert db_state(env) == before


async def test_moderator_button_opens_reason_modal_and_submit_changes_status(
    env: DiscordEnv,
) -> None:
    shown = await env.fake.slash(env.newsroom, env.editor, "claim", "show", claim="4")
    message = shown.callback["data"]
    assert message["flags"] & EPHEMERAL
    assert "cd:st:4:2:verified" in custom_ids(message)  # moderators see the buttons privately too
    pressed = await env.fake.press(env.newsroom, env.editor, message, "cd:st:4:2:verified")
    assert pressed.callback["type"] == 9
    modal = pressed.callback["data"]
    assert modal["title"] == "Mark #4 verified"
    submitted = await env.fake.submit_modal(
        env.newsroom, env.editor, modal, ["Confirmed by two historians"]
    )
    reply = submitted.final_message()
    assert not reply.get("flags", 0) & EPHEMERAL  # the team sees status changes
    assert (
        reply["content"]
        == "**Eddie Editor** marked **#4** ✅ **Verified** — Confirmed by two historians"
    )
    detail = await env.service.show(_actor(env), 4)
    assert detail.claim.status is Status.VERIFIED
    assert detail.recent_changes[-1].detail == "Confirmed by two historians"
    assert detail.recent_changes[-1].actor.name == "Eddie Editor"
    # The old button carries the old revision: pressing it again is refused as stale at once,
    # before a reason is typed (it used to open the form and refuse after).
    again = await env.fake.press(env.newsroom, env.editor, message, "cd:st:4:2:disputed")
    assert again.callback["type"] == 4
    assert again.callback["data"]["flags"] & EPHEMERAL
    assert again.callback["data"]["content"].startswith(
        "✖ Claim #4 changed since you looked (it is now verified, revision 3)."
    )


async def test_status_commands_need_a_moderator_and_a_reason(env: DiscordEnv) -> None:
    before = db_state(env)
    refused = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "dispute", claim="3", reason="I doubt it"
    )
    assert refused.callback["data"]["flags"] & EPHEMERAL
    assert refused.callback["data"]["content"].startswith("✖ Only moderators")
    short = await env.fake.slash(
        env.newsroom, env.editor, "claim", "dispute", claim="3", reason="no"
    )
    assert "reason is too short" in short.callback["data"]["content"]
    assert db_state(env) == before
    done = await env.fake.slash(
        env.newsroom, env.editor, "claim", "dispute", claim="3", reason="New satellite imagery"
    )
    assert done.callback["data"]["embeds"][0]["title"] == "#3 · ⛔ Disputed"


async def test_add_claim_then_duplicate_offers_add_anyway(env: DiscordEnv) -> None:
    added = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "add",
        text="The Kursk nuclear power plant was hit by a drone in March 2025.",
        claimant="Rosatom",
        tags="kursk,energy",
        source="https://www.example.org/kursk-npp",
        stance="supports",
    )
    data = added.callback["data"]
    assert data["content"] == "**Rita Reporter** added claim **#10**"
    assert data["embeds"][0]["title"] == "#10 · ❔ Unverified"
    dup = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "add",
        text="A drone hit the Kursk nuclear power plant in March 2025.",
    )
    offer = dup.callback["data"]
    assert offer["flags"] & EPHEMERAL
    assert offer["content"].startswith(
        "Not added yet.\n**This looks like a claim we already have:**\n**#10**"
    )
    labels = [c["label"] for row in offer["components"] for c in row["components"]]
    assert labels == ["Add anyway", "Cancel"]
    add_anyway = custom_ids(offer)[0]
    # Someone else cannot decide for the author.
    other = await env.fake.press(env.newsroom, env.editor, offer, add_anyway)
    assert other.callback["data"]["content"] == "Only the person who added the claim can decide."
    confirmed = await env.fake.press(env.newsroom, env.reporter, offer, add_anyway)
    assert confirmed.callback["data"]["content"] == "**Rita Reporter** added claim **#11**"


async def test_add_source_and_bad_url_changes_nothing(env: DiscordEnv) -> None:
    before = db_state(env)
    bad = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "source", claim="5", url="javascript:alert(1)"
    )
    assert bad.callback["data"]["flags"] & EPHEMERAL
    assert "must start with http:// or https://" in bad.callback["data"]["content"]
    assert db_state(env) == before
    good = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "source",
        claim="5",
        url="https://www.example.com/nk",
        stance="supports",
        note="Briefing",
    )
    assert (
        good.callback["data"]["content"]
        == "**Rita Reporter** added a source to **#5** (supports, example.com)"
    )
    fields = {f["name"]: f["value"] for f in good.callback["data"]["embeds"][0]["fields"]}
    assert (
        fields["Sources (2)"].splitlines()[1]
        == "2. **supports** · [example.com](https://www.example.com/nk) — Briefing"
    )


async def test_mentions_in_claim_text_ping_nobody_and_markdown_is_escaped(env: DiscordEnv) -> None:
    added = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "add",
        text="@everyone the **mayor** <@&501000000000000001> said <@302> lied about `taxes` ||secret||",
        force=True,
    )
    data = added.callback["data"]
    assert data["allowed_mentions"] == {"parse": []}
    description = data["embeds"][0]["description"]
    assert "@everyone" not in description.replace("@\u200beveryone", "")
    assert "\\*\\*mayor\\*\\*" in description
    assert "<@&501000000000000001>" not in description
    assert "\\|\\|secret\\|\\|" in description
    # Every message the bot sent anywhere disabled mention parsing.
    for request in env.fake.requests:
        if (
            request.path.endswith("/callback")
            and request.body.get("data", {}).get("content") is not None
        ):
            assert request.body["data"]["allowed_mentions"] == {"parse": []}


async def test_another_guilds_claim_id_is_not_found(env: DiscordEnv) -> None:
    ex = await env.fake.slash(env.other, env.editor, "claim", "show", claim="1")
    assert ex.callback["data"]["flags"] & EPHEMERAL
    assert (
        ex.callback["data"]["content"]
        == "✖ There is no claim #1 here. Try /claim search to find its id."
    )
    search = await env.fake.slash(env.other, env.reporter, "claim", "search", query="kursk")
    assert search.callback["data"]["embeds"][0]["description"].startswith("No claim matches")
    menu = await env.fake.message_menu(
        env.other, env.reporter, "Check claims", "Putin says Russia has full control of Kursk"
    )
    assert menu.callback["data"]["embeds"][0]["title"] == "No stored claim resembles this message"


async def test_check_claims_menu_matches_a_message(env: DiscordEnv) -> None:
    ex = await env.fake.message_menu(
        env.newsroom,
        env.reporter,
        "Check claims",
        "BREAKING: Putin says Russian forces have regained full control of Kursk",
    )
    data = ex.callback["data"]
    assert data["flags"] & EPHEMERAL
    assert data["embeds"][0]["title"] == "This has been checked: 1 stored claim"
    lines = data["embeds"][0]["description"].splitlines()
    assert lines[0].startswith("**#1** ⛔ Russian forces have regained full control")
    # Why, and how sure: where the words were found, and the decision's probability.
    assert lines[1].startswith(
        "_matched russian, forces, regained, full, … in the claim; putin in its claimant · "
    )
    assert lines[1].endswith("likely the same claim_")


async def test_a_member_says_which_match_is_right_with_the_buttons_under_it(
    env: DiscordEnv,
) -> None:
    ex = await env.fake.message_menu(
        env.newsroom,
        env.reporter,
        "Check claims",
        "BREAKING: Putin says Russian forces have regained full control of Kursk",
    )
    answer = ex.callback["data"]
    ids = custom_ids(answer)
    shown = [line for line in answer["embeds"][0]["description"].splitlines() if line[:3] == "**#"]
    # A "Yes" and a "Not" for each match shown, the first row saying yes.
    assert len(ids) == 2 * len(shown)
    labels = [c["label"] for row in answer["components"] for c in row["components"]]
    assert labels[0] == "Yes, #1"
    assert labels[len(shown)] == "Not #1"
    check = ids[0].split(":")[2]
    pressed = await env.fake.press(env.newsroom, env.reporter, answer, f"cd:vd:{check}:1:y")
    reply = pressed.callback["data"]
    assert reply["flags"] & EPHEMERAL
    assert reply["content"].startswith(f"Thanks: check {check} repeats #1.")
    entry = (await env.service.history(_actor(env), 1))[-1]
    assert entry.kind is HistoryKind.MATCH_CONFIRMED
    # The message's own link is the appearance.
    assert entry.detail.startswith(f"check {check}, https://discord.com/channels/")
    twice = await env.fake.press(env.newsroom, env.editor, answer, f"cd:vd:{check}:1:n")
    assert twice.callback["data"]["content"] == (
        f"✖ #1 was already confirmed for check {check} by Rita Reporter."
    )


async def test_autocomplete_claims_and_tags(env: DiscordEnv) -> None:
    choices = await env.fake.autocomplete(
        env.newsroom, env.reporter, "claim", "show", focused="claim", claim="north kor"
    )
    assert choices[0] == {
        "name": "#5 ❔ North Korean troops played a significant role in aiding Russian forces in the Kursk operations.",
        "value": "5",
    }
    by_id = await env.fake.autocomplete(
        env.newsroom, env.reporter, "claim", "show", focused="claim", claim="#3"
    )
    assert [c["value"] for c in by_id] == ["3"]
    tags = await env.fake.autocomplete(
        env.newsroom, env.reporter, "claim", "search", focused="tag", query="x", tag="ter"
    )
    assert tags == [{"name": "territorial-control", "value": "territorial-control"}]
    elsewhere = await env.fake.autocomplete(
        env.other, env.reporter, "claim", "show", focused="claim", claim="kursk"
    )
    assert elsewhere == []


async def test_moderator_roles_are_managed_in_discord(env: DiscordEnv) -> None:
    fact_checkers = 777000000000000001
    env.fake.guilds[env.newsroom.id].roles[fact_checkers] = "Fact-checkers"
    refused = await env.fake.slash(
        env.newsroom, env.reporter, "claimdesk", "moderators", "add", role=("role", fact_checkers)
    )
    assert refused.callback["data"]["content"].startswith(
        "✖ Only members who can manage this workspace"
    )
    done = await env.fake.slash(
        env.newsroom, env.manager, "claimdesk", "moderators", "add", role=("role", fact_checkers)
    )
    assert done.callback["data"]["content"].startswith(
        f"<@&{fact_checkers}> is now a moderator role."
    )
    assert done.callback["data"]["flags"] & EPHEMERAL
    checker = env.reporter.__class__(310, "Fay Checker", roles=[fact_checkers])
    ok = await env.fake.slash(
        env.newsroom, checker, "claim", "verify", claim="6", reason="Matches UN figures"
    )
    assert ok.callback["data"]["content"].startswith("**Fay Checker** marked **#6**")


async def test_slow_store_defers_then_follows_up(env: DiscordEnv) -> None:
    slow = await env.restart(defer_after=0.0)  # every answer takes the deferred path
    assert slow.defer_after == 0.0
    ex = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="1", share=True)
    assert ex.callback["type"] == 5  # "thinking…" first, within the deadline
    assert ex.final_message()["embeds"][0]["title"] == "#1 · ⛔ Disputed"
    # A refusal after a public "thinking…" must still reach only the asker.
    refused = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "verify", claim="1", reason="looks right"
    )
    assert refused.callback["type"] == 5
    assert refused.deleted_original()
    assert refused.followups()[-1]["flags"] & EPHEMERAL
    assert refused.followups()[-1]["content"].startswith("✖ Only moderators")


async def test_buttons_keep_working_after_a_restart(env: DiscordEnv) -> None:
    shown = await env.fake.slash(env.newsroom, env.editor, "claim", "show", claim="7", share=True)
    message = shown.callback["data"]
    await env.restart()
    pressed = await env.fake.press(env.newsroom, env.editor, message, "cd:st:7:2:disputed")
    assert pressed.callback["type"] == 9
    done = await env.fake.submit_modal(
        env.newsroom, env.editor, pressed.callback["data"], ["Contradicted by casualty lists"]
    )
    assert done.final_message()["content"].startswith(
        "**Eddie Editor** marked **#7** ⛔ **Disputed**"
    )


async def test_unexpected_error_is_logged_with_id_and_user_gets_apology(
    env: DiscordEnv, caplog, monkeypatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(env.service, "history", broken)
    ex = await env.fake.slash(env.newsroom, env.reporter, "claim", "history", claim="1")
    data = ex.callback["data"]
    interaction_id = ex.token.removeprefix("token-")
    assert data["flags"] & EPHEMERAL
    assert data["content"] == (
        "Sorry, something went wrong on our side and nothing was changed. "
        f"If it keeps happening, tell your admin the reference {interaction_id}."
    )
    assert "disk on fire" not in data["content"]
    assert any(interaction_id in r.getMessage() and r.exc_info for r in caplog.records)


def _actor(env: DiscordEnv):
    from bot.core.models import Actor

    return Actor(workspace=f"discord:{env.newsroom.id}", user_id="t", display_name="t")


async def test_history_lists_every_change(env: DiscordEnv) -> None:
    ex = await env.fake.slash(env.newsroom, env.reporter, "claim", "history", claim="2")
    embed = ex.callback["data"]["embeds"][0]
    assert embed["title"] == "History of #2"
    lines = embed["description"].splitlines()
    assert len(lines) == 3
    assert "claim added (unverified)" in lines[0]
    # A seed's source is the evidence its status rests on: it comes first.
    assert "source added (context: Putin claims complete defiance" in lines[1]
    assert "unverified → disputed: Moscow says it has regained full control" in lines[2]
    assert OTHER_PAPER  # the other guild is configured (used by other tests)


async def test_two_moderators_in_the_same_form_both_get_an_answer(env: DiscordEnv) -> None:
    # They used to share one form id: the second submit was never answered and its reason lost.
    second_editor = User(304, "Erin Editor", roles=[EDITORS])
    shown = await env.fake.slash(env.newsroom, env.editor, "claim", "show", claim="7", share=True)
    message = shown.callback["data"]
    first = await env.fake.press(env.newsroom, env.editor, message, "cd:st:7:2:disputed")
    second = await env.fake.press(env.newsroom, second_editor, message, "cd:st:7:2:disputed")
    first_form, second_form = first.callback["data"], second.callback["data"]
    assert first_form["custom_id"] != second_form["custom_id"]
    done = await env.fake.submit_modal(
        env.newsroom, env.editor, first_form, ["Contradicted by casualty lists"]
    )
    assert done.final_message()["content"].startswith("**Eddie Editor** marked **#7** ⛔")
    late = await env.fake.submit_modal(
        env.newsroom, second_editor, second_form, ["Matches the ministry figures"]
    )
    assert late.callback["data"]["flags"] & EPHEMERAL
    assert late.callback["data"]["content"].startswith(
        "✖ Claim #7 changed since you looked (it is now disputed, revision 3)."
    )
    detail = await env.service.show(_actor(env), 7)
    assert [e.detail for e in detail.recent_changes][-1] == "Contradicted by casualty lists"


async def test_a_form_open_across_a_restart_is_answered(env: DiscordEnv) -> None:
    shown = await env.fake.slash(env.newsroom, env.editor, "claim", "show", claim="7", share=True)
    pressed = await env.fake.press(
        env.newsroom, env.editor, shown.callback["data"], "cd:st:7:2:disputed"
    )
    await env.restart()
    done = await env.fake.submit_modal(
        env.newsroom, env.editor, pressed.callback["data"], ["Contradicted by casualty lists"]
    )
    assert done.final_message()["content"].startswith("**Eddie Editor** marked **#7** ⛔")


async def _duplicate_offer(env: DiscordEnv) -> dict[str, Any]:
    dup = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "add",
        text="Russian forces regained full control of the Kursk region, Putin said.",
    )
    offer: dict[str, Any] = dup.callback["data"]
    assert offer["content"].startswith(
        "Not added yet.\n**This looks like a claim we already have:**"
    )
    return offer


async def test_add_anyway_after_a_restart_is_answered_and_adds_nothing(env: DiscordEnv) -> None:
    offer = await _duplicate_offer(env)
    await env.restart()
    before = db_state(env)
    pressed = await env.fake.press(env.newsroom, env.reporter, offer, custom_ids(offer)[0])
    assert pressed.callback["type"] == 7
    assert pressed.callback["data"]["content"].startswith("This prompt has expired")
    assert db_state(env) == before
    cancelled = await env.fake.press(env.newsroom, env.reporter, offer, custom_ids(offer)[1])
    assert cancelled.callback["data"]["content"] == "Cancelled: nothing was added."


async def test_add_anyway_adds_once_however_often_it_is_pressed(env: DiscordEnv) -> None:
    offer = await _duplicate_offer(env)
    add_anyway = custom_ids(offer)[0]
    confirmed = await env.fake.press(env.newsroom, env.reporter, offer, add_anyway)
    assert confirmed.callback["data"]["content"] == "**Rita Reporter** added claim **#10**"
    again = await env.fake.press(env.newsroom, env.reporter, offer, add_anyway)
    assert again.callback["data"]["content"].startswith("This prompt has expired")
    assert await env.service.show(_actor(env), 10)
    with pytest.raises(NotFound):
        await env.service.show(_actor(env), 11)


async def test_next_on_a_shared_search_pages_privately(env: DiscordEnv) -> None:
    for text in [
        "The Kursk regional governor resigned in December 2024.",
        "Drone debris fell on a Kursk apartment block on 3 May.",
        "Kursk airport will reopen to civilian flights this summer.",
        "Evacuees from Kursk oblast received compensation payments of 10,000 roubles.",
    ]:
        await env.fake.slash(env.newsroom, env.reporter, "claim", "add", text=text)
    shared = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "search", query="kursk", share=True
    )
    message = shared.callback["data"]
    assert not message.get("flags", 0) & EPHEMERAL
    paged = await env.fake.press(env.newsroom, env.editor, message, "cd:pg:2:::kursk")
    # A new message only the presser sees; the shared one is not edited for everyone.
    assert paged.callback["type"] == 4
    assert paged.callback["data"]["flags"] & EPHEMERAL
    assert paged.callback["data"]["embeds"][0]["footer"]["text"] == "13 matches · page 2 of 2"


async def test_lookup_shows_published_reviews_and_imports_one_even_after_a_restart(
    env: DiscordEnv,
) -> None:
    looked = await env.fake.slash(env.newsroom, env.editor, "claim", "lookup", text="north korea")
    data = looked.callback["data"]
    assert data["flags"] & EPHEMERAL
    embed = data["embeds"][0]
    assert embed["title"] == "Published fact-checks for “north korea”"
    assert (
        "Example Checks: True · [the review](<https://factcheck.example/nk-troops-kursk>)"
        in (embed["description"])
    )
    assert custom_ids(data) == ["cd:lk:1"]
    done = await env.fake.press(env.newsroom, env.editor, data, "cd:lk:1")
    assert (
        done.callback["data"]["content"] == "Imported as claim #10, with the review as its source."
    )
    await env.restart()  # the Discord client (the service, with its lookups, stays up here)
    again = await env.fake.press(env.newsroom, env.editor, data, "cd:lk:1")
    assert again.callback["data"]["content"] == "Already in the desk: a source of claim #10."
