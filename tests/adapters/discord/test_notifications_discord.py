"""Subscriptions through the real discord.py client and the fake Discord's DMs and channels."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from tests.adapters.discord.conftest import DESK, NOTICES, DiscordEnv
from tests.adapters.discord.fake_discord import User, rate_limited, server_error

EPHEMERAL = 64


async def until(condition: Any, seconds: float = 10.0) -> None:
    """Wait for the fake platform's recorded state; it has no event to wait on."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def deliveries(env: DiscordEnv) -> list[tuple[str, str, str]]:
    with sqlite3.connect(env.path) as conn:
        return conn.execute(
            "SELECT recipient, state, last_error FROM deliveries ORDER BY id"
        ).fetchall()


async def test_subscriber_gets_one_dm_with_a_show_button(env: DiscordEnv) -> None:
    reporter = env.reporter
    ex = await env.fake.slash(env.newsroom, reporter, "subscribe", "claim", claim="4")
    assert ex.callback["data"]["content"] == "You now follow claim #4 by DM."
    assert ex.callback["data"]["flags"] & EPHEMERAL
    # Overlapping subscriptions must still give one message per change.
    await env.fake.slash(env.newsroom, reporter, "subscribe", "tag", tag="history")
    await env.fake.slash(env.newsroom, reporter, "subscribe", "all")
    listed = await env.fake.slash(env.newsroom, reporter, "subscriptions")
    assert listed.callback["data"]["content"] == (
        "You follow:\n• every claim by DM\n• claim #4 by DM\n• tag `history` by DM"
    )
    await env.fake.slash(
        env.newsroom, env.editor, "claim", "verify", claim="4", reason="Confirmed by historians"
    )
    await until(lambda: len(env.fake.dms_to(reporter.id)) == 1)
    await asyncio.sleep(0.2)  # anything extra would have arrived by now
    [dm] = env.fake.dms_to(reporter.id)
    assert dm["embeds"][0]["title"] == "Claimdesk update"
    assert dm["embeds"][0]["description"].startswith(
        "• \\#4 ✅ unverified → verified by Eddie Editor: Confirmed by historians"
    )
    assert [c["custom_id"] for row in dm["components"] for c in row["components"]] == [
        f"cd:show:{env.newsroom.id}:4"
    ]
    post = env.fake.message_posts()[-1]
    assert post.body["allowed_mentions"] == {"parse": []}
    assert post.body["nonce"].startswith("cd")
    assert post.body["enforce_nonce"] is True
    # The editor, who made the change, is not notified about it; the reporter's DM is done.
    assert env.fake.dms_to(env.editor.id) == []
    assert deliveries(env) == [(str(reporter.id), "delivered", "")]
    # The button works from the DM, outside the server.
    shown = await env.fake.press_in_dm(reporter, dm, f"cd:show:{env.newsroom.id}:4")
    assert shown.callback["data"]["embeds"][0]["title"] == "#4 · ✅ Verified"
    assert shown.callback["data"]["flags"] & EPHEMERAL


async def test_unsubscribe_stops_dms(env: DiscordEnv) -> None:
    await env.fake.slash(env.newsroom, env.reporter, "subscribe", "claim", claim="2")
    gone = await env.fake.slash(env.newsroom, env.reporter, "unsubscribe", "claim", claim="2")
    assert gone.callback["data"]["content"] == "Unsubscribed (1 subscription removed)."
    again = await env.fake.slash(env.newsroom, env.reporter, "unsubscribe", "claim", claim="2")
    assert again.callback["data"]["content"].startswith("✖ You were not following claim #2")
    await env.fake.slash(
        env.newsroom, env.editor, "claim", "verify", claim="2", reason="Satellite images"
    )
    await asyncio.sleep(0.3)
    assert env.fake.dms_to(env.reporter.id) == []
    assert deliveries(env) == []


async def test_rate_limits_and_server_errors_delay_but_deliver_once(env: DiscordEnv) -> None:
    await env.fake.slash(env.newsroom, env.reporter, "subscribe", "claim", claim="6")
    env.fake.message_failures = [
        rate_limited(0.2),
        server_error(),
        rate_limited(0.1, global_limit=True),
    ]
    await env.fake.slash(
        env.newsroom, env.editor, "claim", "dispute", claim="6", reason="Figures disputed"
    )
    await until(lambda: len(env.fake.dms_to(env.reporter.id)) == 1, seconds=20)
    await asyncio.sleep(0.2)
    assert len(env.fake.dms_to(env.reporter.id)) == 1
    assert len(env.fake.message_posts()) == 4  # three refused, one accepted
    assert deliveries(env) == [(str(env.reporter.id), "delivered", "")]


async def test_closed_dms_fail_with_reason_and_the_user_is_told_once(env: DiscordEnv) -> None:
    notices = NOTICES
    done = await env.fake.slash(
        env.newsroom, env.manager, "claimdesk", "notices", "set", channel=("channel", notices)
    )
    assert (
        done.callback["data"]["content"] == f"Claimdesk will post delivery notices in <#{notices}>."
    )
    env.fake.dms_closed.add(env.reporter.id)
    await env.fake.slash(env.newsroom, env.reporter, "subscribe", "claim", claim="7")
    await env.fake.slash(
        env.newsroom, env.editor, "claim", "dispute", claim="7", reason="Casualty lists disagree"
    )
    await env.fake.slash(
        env.newsroom, env.editor, "claim", "verify", claim="7", reason="Lists reconciled"
    )
    await until(lambda: [d[1] for d in deliveries(env)] == ["failed", "failed"])
    assert (
        deliveries(env)[0][2]
        == "Discord refused the DM: the member's DMs are closed to this server"
    )
    await until(lambda: len(env.fake.channel_messages.get(notices, [])) == 1)
    await asyncio.sleep(0.2)
    [notice] = env.fake.channel_messages[notices]
    assert notice["content"].startswith(
        f"<@{env.reporter.id}> Claimdesk can't send you notifications by DM"
    )
    post = next(p for p in env.fake.message_posts() if p.path == f"/channels/{notices}/messages")
    assert post.body["allowed_mentions"] == {"parse": [], "users": [env.reporter.id]}


async def test_channel_delivery_needs_manage_channels(env: DiscordEnv) -> None:
    desk = DESK
    refused = await env.fake.slash(
        env.newsroom,
        env.reporter,
        "subscribe",
        "tag",
        tag="casualties",
        delivery="channel",
        channel=("channel", desk),
    )
    assert refused.callback["data"]["content"].startswith("✖ Only members who can manage channels")
    channel_manager = User(320, "Cara Channels", permissions=0x10 | 0x80000000)
    ok = await env.fake.slash(
        env.newsroom,
        channel_manager,
        "subscribe",
        "tag",
        tag="casualties",
        delivery="channel",
        channel=("channel", desk),
        digest="instant",
    )
    assert ok.callback["data"]["content"] == f"You now follow tag `casualties` in <#{desk}>."
    await env.fake.slash(
        env.newsroom,
        env.reporter,
        "claim",
        "add",
        text="Russian losses near Sudzha exceeded 2,000 in March.",
        tags="casualties,kursk",
    )
    await until(lambda: len(env.fake.channel_messages.get(desk, [])) == 1)
    [post] = env.fake.channel_messages[desk]
    assert (
        "\\#10 new claim tagged casualties, kursk by Rita Reporter"
        in post["embeds"][0]["description"]
    )
