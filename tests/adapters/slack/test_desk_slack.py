"""The desk's queue in Slack, through slack-bolt's real request path and the fake Slack: Send
to the desk under a check that found nothing, the queue with its Take buttons and paging,
requests, a moderator assigning a member by mention (who hears by DM)."""

from __future__ import annotations

import json

from tests.adapters.slack.conftest import SlackEnv
from tests.adapters.slack.fake_slack import buttons, text_of

NEW = "The river festival in Sudzha has been cancelled because of the floods."
REPEAT = "Putin says Russian forces have regained full control of Kursk"


async def test_a_message_nobody_checked_goes_to_the_desk_and_is_taken(env: SlackEnv) -> None:
    await env.slack.shortcut(env.rita, "check_claims", NEW)
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postEphemeral")) == 1)
    [posted] = env.fake.calls_to("chat.postEphemeral")
    assert text_of(posted["blocks"]).startswith("*No stored claim resembles this message*")
    [send] = [b for b in buttons(posted["blocks"]) if b["action_id"] == "cd_desk"]
    assert send["text"]["text"] == "Send to the desk"
    url = await env.slack.press(env.rita, send, posted["blocks"])
    sent = await env.slack.response_to(url)
    assert sent["response_type"] == "ephemeral"
    text = text_of(sent["blocks"])
    assert text.startswith("Sent to the desk as claim #10 (unverified)")
    assert "Asked once (once this week)" in text
    again_url = await env.slack.press(env.ed, send, posted["blocks"])
    again = await env.slack.response_to(again_url)
    assert text_of(again["blocks"]).startswith("Already on the desk: check ")

    queue = await env.slack.command(env.rita, "/claim", "queue")
    assert queue["response_type"] == "ephemeral"
    listed = text_of(queue["blocks"])
    assert listed.startswith("*Unverified claims, most wanted first (")
    assert "#10 ❔ “The river festival in Sudzha" in listed
    take = next(b for b in buttons(queue["blocks"]) if b["action_id"] == "cd_take_10")
    taken_url = await env.slack.press(env.rita, take, queue["blocks"])
    taken = await env.slack.response_to(taken_url)
    assert text_of(taken["blocks"]) == "You are on #10 now. It is under /claim queue mine."
    refused_url = await env.slack.press(env.ed, take, queue["blocks"])
    refused = await env.slack.response_to(refused_url)
    # A stale "Take it" takes a claim from nobody, a moderator's press neither: it says how.
    assert text_of(refused["blocks"]) == (
        ":x: Rita Reporter is already on #10. To take it over: /claim assign 10 to:&lt;you&gt;."
    )
    over = await env.slack.command(env.ed, "/claim", "assign 10 to:<@U0ED|ed>")
    assert text_of(over["blocks"]) == "You are on #10 now. It is under /claim queue mine."
    mine = await env.slack.command(env.rita, "/claim", "queue mine")
    assert "Nothing is assigned to you." in text_of(mine["blocks"])


async def test_the_queue_pages_in_place(env: SlackEnv) -> None:
    for n, place in enumerate(("harbour", "library", "stadium", "airport", "museum"), 1):
        added = await env.slack.command(
            env.rita, "/claim", f"add The {place} closes for {n} months from June. force:yes"
        )
        assert added["response_type"] == "in_channel"
    first = await env.slack.command(env.rita, "/claim", "queue")
    [following] = [b for b in buttons(first["blocks"]) if b["action_id"] == "cd_queue_page_next"]
    assert json.loads(following["value"]) == {"v": "open", "s": "unverified", "t": None, "p": 2}
    url = await env.slack.press(env.rita, following, first["blocks"])
    second = await env.slack.response_to(url)
    assert second["replace_original"] is True
    assert "Page 2 of 2." in text_of(second["blocks"])


async def test_a_moderator_assigns_a_member_by_mention_and_they_hear_by_dm(
    env: SlackEnv,
) -> None:
    refused = await env.slack.command(env.rita, "/claim", "assign 4 to:<@U0ADA|ada>")
    assert text_of(refused["blocks"]).startswith(":x: Only moderators can put someone else")
    done = await env.slack.command(env.ed, "/claim", "assign 4 to:<@U0RITA|rita>")
    said = text_of(done["blocks"])
    assert said.endswith("is on #4 now, and has been told.")
    await env.fake.wait_for(
        lambda: any(c["channel"] == "U0RITA" for c in env.fake.calls_to("chat.postMessage")),
        seconds=15,
    )
    [dm] = [c for c in env.fake.calls_to("chat.postMessage") if c["channel"] == "U0RITA"]
    assert "#4 is yours now: Eddie Editor assigned it to you" in text_of(dm["blocks"])
    shown = await env.slack.command(env.ed, "/claim", "show 4")
    assert "is on it" in text_of(shown["blocks"])
    # A mention Slack did not escape ("@fay" as typed) is looked up by handle; nobody by a
    # name is refused, and nothing changes.
    by_handle = await env.slack.command(env.ed, "/claim", "assign 5 to:@fay")
    assert text_of(by_handle["blocks"]) == "Fay Checker is on #5 now, and has been told."
    nobody = await env.slack.command(env.ed, "/claim", "assign 6 to:@zed")
    assert text_of(nobody["blocks"]).startswith(":x: Nobody here answers to @zed")
    assert "is on it" not in text_of(
        (await env.slack.command(env.ed, "/claim", "show 6"))["blocks"]
    )
    assert "cd_take_4" not in [b["action_id"] for b in buttons(shown["blocks"])]


async def test_requests_list_who_asked_in_which_channel(env: SlackEnv) -> None:
    for who in (env.rita, env.ed):
        await env.slack.shortcut(who, "check_claims", REPEAT)
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postEphemeral")) == 2)
    await env.slack.command(env.fay, "/claim", f"check {REPEAT}")
    asked = await env.slack.command(env.ada, "/claim", "requests 1")
    text = text_of(asked["blocks"])
    assert text.startswith("*#1 was asked about 3 times, 3 times this week*")
    assert "Eddie Editor in <#C0DESK>, " in text
    assert f"{env.fay.name} in <#C0DESK>, " in text  # /claim check in a channel: there
    assert "<https://" in text  # the message's permalink, as a link
    bad = await env.slack.command(env.ada, "/claim", "requests 99")
    assert text_of(bad["blocks"]).startswith(":x: There is no claim #99 here.")
