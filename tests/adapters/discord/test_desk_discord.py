"""The desk's queue through the real discord.py client against the fake Discord: Send to the
desk under a check that found nothing, the queue with its Take buttons, requests, assigning a
member (who is told by DM), refusals only to the asker."""

from __future__ import annotations

from tests.adapters.discord.conftest import DiscordEnv
from tests.adapters.discord.fake_discord import custom_ids
from tests.adapters.discord.test_notifications_discord import until

EPHEMERAL = 64
NEW = "The river festival in Sudzha has been cancelled because of the floods."
REPEAT = "BREAKING: Putin says Russian forces have regained full control of Kursk"


async def test_a_message_nobody_checked_goes_to_the_desk_and_is_taken(env: DiscordEnv) -> None:
    checked = await env.fake.message_menu(env.newsroom, env.reporter, "Check claims", NEW)
    answer = checked.callback["data"]
    assert answer["embeds"][0]["title"] == "No stored claim resembles this message"
    [send] = [i for i in custom_ids(answer) if i.startswith("cd:desk:")]
    labels = [c["label"] for row in answer["components"] for c in row["components"]]
    assert "Send to the desk" in labels

    sent = await env.fake.press(env.newsroom, env.reporter, answer, send)
    data = sent.callback["data"]
    assert data["flags"] & EPHEMERAL
    assert data["content"].startswith("Sent to the desk as claim #10 (unverified)")
    assert data["embeds"][0]["title"] == "#10 · ❔ Unverified"
    fields = {f["name"]: f["value"] for f in data["embeds"][0]["fields"]}
    # The message's own link is where the claim was seen; the check is its first request.
    assert "discord.com/channels/" in fields["Sources (1)"]
    assert fields["The desk"] == "Asked once (once this week)"
    again = await env.fake.press(env.newsroom, env.editor, answer, send)
    assert again.callback["data"]["content"] == (
        f"Already on the desk: check {send.split(':')[2]} was sent as claim #10."
    )

    queue = await env.fake.slash(env.newsroom, env.reporter, "claim", "queue")
    shown = queue.callback["data"]
    assert shown["flags"] & EPHEMERAL
    embed = shown["embeds"][0]
    assert embed["title"].startswith("Unverified claims, most wanted first (")
    first = embed["description"].splitlines()[0]
    assert first.startswith("**#10** ❔ “The river festival in Sudzha")
    assert "· asked once, last " in first
    assert first.endswith("· nobody on it")
    assert custom_ids(shown)[0] == "cd:take:10"

    taken = await env.fake.press(env.newsroom, env.reporter, shown, "cd:take:10")
    assert taken.callback["data"]["content"] == (
        "You are on #10 now. It is under /claim queue mine."
    )
    stolen = await env.fake.press(env.newsroom, env.manager, shown, "cd:take:10")
    assert stolen.callback["data"]["flags"] & EPHEMERAL
    assert stolen.callback["data"]["content"] == (
        "✖ Rita Reporter is already on #10. A moderator can reassign it."
    )
    mine = await env.fake.slash(env.newsroom, env.reporter, "claim", "queue", which="mine")
    lines = mine.callback["data"]["embeds"][0]["description"].splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("· Rita Reporter is on it")


async def test_a_moderator_puts_a_member_on_a_claim_and_they_hear_by_dm(env: DiscordEnv) -> None:
    refused = await env.fake.slash(
        env.newsroom, env.reporter, "claim", "assign", claim="4", to=("member", env.manager)
    )
    assert refused.callback["data"]["flags"] & EPHEMERAL
    assert refused.callback["data"]["content"].startswith(
        "✖ Only moderators can put someone else on a claim."
    )
    done = await env.fake.slash(
        env.newsroom, env.editor, "claim", "assign", claim="4", to=("member", env.reporter)
    )
    assert done.callback["data"]["content"] == "Rita Reporter is on #4 now, and has been told."
    await until(lambda: len(env.fake.dms_to(env.reporter.id)) == 1)
    [dm] = env.fake.dms_to(env.reporter.id)
    assert dm["embeds"][0]["description"].startswith(
        "• \\#4 is yours now: Eddie Editor assigned it to you"
    )
    history = await env.fake.slash(env.newsroom, env.reporter, "claim", "history", claim="4")
    assert "assigned to Rita Reporter (301)" in history.callback["data"]["embeds"][0]["description"]
    off = await env.fake.slash(env.newsroom, env.reporter, "claim", "unassign", claim="4")
    assert off.callback["data"]["content"] == "Nobody is on #4 now (it was Rita Reporter)."


async def test_requests_list_who_asked_where(env: DiscordEnv) -> None:
    await env.fake.message_menu(env.newsroom, env.reporter, "Check claims", REPEAT)
    await env.fake.message_menu(env.newsroom, env.editor, "Check claims", REPEAT)
    asked = await env.fake.slash(env.newsroom, env.manager, "claim", "requests", claim="1")
    embed = asked.callback["data"]["embeds"][0]
    assert embed["title"] == "#1 was asked about twice, twice this week"
    lines = embed["description"].splitlines()
    assert lines[0].startswith(f"Eddie Editor in <#{env.newsroom.channel_id}>, ")
    assert lines[1].startswith(f"Rita Reporter in <#{env.newsroom.channel_id}>, ")
    assert "https://discord.com/channels/" in lines[0]
    shown = await env.fake.slash(env.newsroom, env.reporter, "claim", "show", claim="1")
    fields = {f["name"]: f["value"] for f in shown.callback["data"]["embeds"][0]["fields"]}
    assert fields["The desk"] == "Asked twice (twice this week)"
    other = await env.fake.slash(env.other, env.reporter, "claim", "requests", claim="1")
    assert other.callback["data"]["content"].startswith("✖ There is no claim #1 here.")
