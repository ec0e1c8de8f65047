"""Claimdesk in Slack, through slack-bolt's real request path and a fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from bot.core.models import Actor
from tests.adapters.slack.conftest import BOT_TOKEN, CHECKERS, SlackEnv
from tests.adapters.slack.fake_slack import buttons, ratelimited, text_of


async def test_bad_signature_and_stale_timestamp_are_refused(env: SlackEnv) -> None:
    before = env.snapshot()
    body = "command=%2Fclaim&text=add+Forged+claim+text+here&team_id=T0NEWS&user_id=U0ED"
    status, _ = await env.slack.post(body, signature="v0=" + "0" * 64)
    assert status == 401
    status, _ = await env.slack.post(body, timestamp=int(time.time()) - 600)
    assert status == 401
    await asyncio.sleep(0.2)
    assert env.snapshot() == before
    assert env.fake.responses == []


async def test_search_answers_ephemerally_in_block_kit(env: SlackEnv) -> None:
    reply = await env.slack.command(env.rita, "/claim", "search kursk status:disputed")
    assert reply["response_type"] == "ephemeral"
    text = text_of(reply["blocks"])
    assert text.splitlines()[0] == "*Claims matching “kursk”* (status: disputed)"
    assert (
        "*#1* ⛔ Russian forces have regained full control of the Kursk region. — _Vladimir Putin_ · 1 source"
        in text
    )
    assert "2 matches · page 1 of 1" in text
    assert buttons(reply["blocks"]) == []


async def test_paging_buttons_replace_the_results(env: SlackEnv) -> None:
    for text in [
        "The Kursk regional governor resigned in December 2024.",
        "Drone debris fell on a Kursk apartment block on 3 May.",
    ]:
        added = await env.slack.command(env.rita, "/claim", f"add {text}")
        assert added["response_type"] == "in_channel"
    first = await env.slack.command(env.rita, "/claim", "search kursk")
    assert "11 matches · page 1 of 2" in text_of(first["blocks"])
    [following] = buttons(first["blocks"])
    assert json.loads(following["value"]) == {"q": "kursk", "s": None, "t": None, "p": 2}
    url = await env.slack.press(env.rita, following)
    second = await env.slack.response_to(url)
    assert second["replace_original"] is True
    assert "11 matches · page 2 of 2" in text_of(second["blocks"])
    assert [b["action_id"] for b in buttons(second["blocks"])] == ["cd_page_prev"]


async def test_show_has_moderation_buttons_only_for_moderators(env: SlackEnv) -> None:
    mine = await env.slack.command(env.ed, "/claim", "show 4")
    assert "*#4 · ❔ Unverified*" in text_of(mine["blocks"])
    assert [b["value"] for b in buttons(mine["blocks"])] == ["4:2:verified", "4:2:disputed", "4"]
    theirs = await env.slack.command(env.rita, "/claim", "show 4")
    # No moderation: only "Take it", since nobody is on the claim.
    assert [b["action_id"] for b in buttons(theirs["blocks"])] == ["cd_take_4"]
    # A member of a moderator user group counts too (usergroups.list).
    await env.slack.command(
        env.ada, "/claimdesk", f"moderators add group <!subteam^{CHECKERS}|@checkers>"
    )
    fays = await env.slack.command(env.fay, "/claim", "show 4")
    assert len(buttons(fays["blocks"])) == 3


async def test_moderation_button_modal_and_refusal(env: SlackEnv) -> None:
    shown = await env.slack.command(env.ed, "/claim", "show 4")
    verify = buttons(shown["blocks"])[0]
    # A non-moderator pressing it (e.g. on a message in the channel) is refused, nothing opens.
    url = await env.slack.press(env.rita, verify)
    refusal = await env.slack.response_to(url)
    assert refusal["response_type"] == "ephemeral"
    assert refusal["replace_original"] is False
    assert text_of(refusal["blocks"]).startswith(":x: Only moderators")
    assert env.fake.calls_to("views.open") == []
    # The moderator gets the reason modal.
    await env.slack.press(env.ed, verify)
    await env.fake.wait_for(lambda: len(env.fake.calls_to("views.open")) == 1)
    view = env.fake.calls_to("views.open")[0]["view"]
    assert view["callback_id"] == "cd_reason"
    assert json.loads(view["private_metadata"]) == {
        "claim": 4,
        "version": 2,
        "status": "verified",
        "channel": "C0DESK",
    }
    # Too short a reason keeps the modal open with the problem under the field.
    status, body = await env.slack.submit(env.ed, view, "no")
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"reason": "The reason is too short (2 characters; at least 3)."},
    }
    status, body = await env.slack.submit(env.ed, view, "Confirmed by two historians")
    assert (status, body) == (200, "")
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postMessage")) == 1)
    posted = env.fake.calls_to("chat.postMessage")[0]
    assert posted["channel"] == "C0DESK"
    assert text_of(posted["blocks"]).startswith(
        "Eddie Editor marked *#4* ✅ Verified (was unverified) — Confirmed by two historians"
    )
    detail = await env.service.show(_reader(), 4)
    assert detail.claim.status.value == "verified"
    # The same (now stale) modal again: refused as changed since the moderator looked.
    status, body = await env.slack.submit(env.ed, view, "Again")
    assert "changed since you looked" in json.loads(body)["errors"]["reason"]
    # The stale button no longer opens a form only to refuse the reason typed into it.
    url = await env.slack.press(env.ed, buttons(shown["blocks"])[1])
    stale = await env.slack.response_to(url)
    assert text_of(stale["blocks"]).startswith(
        ":x: Claim #4 changed since you looked (it is now verified, revision 3)."
    )
    assert len(env.fake.calls_to("views.open")) == 1


async def test_status_commands_and_bad_input(env: SlackEnv) -> None:
    before = env.snapshot()
    refused = await env.slack.command(env.rita, "/claim", "dispute 3 I doubt it")
    assert text_of(refused["blocks"]).startswith(":x: Only moderators")
    bad_url = await env.slack.command(env.rita, "/claim", "source 3 javascript:alert(1)")
    assert "must start with http:// or https://" in text_of(bad_url["blocks"])
    unknown = await env.slack.command(env.rita, "/claim", "show 999")
    assert (
        text_of(unknown["blocks"])
        == ":x: There is no claim #999 here. Try /claim search to find its id."
    )
    assert env.snapshot() == before
    done = await env.slack.command(env.ed, "/claim", "dispute 3 New satellite imagery")
    assert done["response_type"] == "in_channel"
    assert "Eddie Editor marked *#3* ⛔ Disputed (was verified) — New satellite imagery" in text_of(
        done["blocks"]
    )


async def test_add_duplicate_and_source(env: SlackEnv) -> None:
    dup = await env.slack.command(
        env.rita,
        "/claim",
        "add Russian troops regained full control of the Kursk region claimant:Dmitry Peskov",
    )
    assert dup["response_type"] == "ephemeral"
    assert text_of(dup["blocks"]).startswith(
        "Not added.\n*This looks like a claim we already have:*\n*#1*"
    )
    source = await env.slack.command(
        env.rita, "/claim", "source 5 https://www.example.org/nk stance:supports note:Briefing"
    )
    assert source["response_type"] == "in_channel"
    assert (
        text_of(source["blocks"])
        == "Rita Reporter added a source to *#5*: *supports* · <https://www.example.org/nk|example.org>"
    )


async def test_mentions_in_claim_text_ping_nobody(env: SlackEnv) -> None:
    added = await env.slack.command(
        env.rita, "/claim", "add <!everyone> the <@U0ED> mayor said taxes fall & rise force:yes"
    )
    text = text_of(added["blocks"])
    assert "&lt;!everyone&gt;" in text
    assert "<!everyone>" not in text
    assert "&lt;@U0ED&gt;" in text
    assert "&amp; rise" in text


async def test_another_teams_claim_id_is_not_found(env: SlackEnv) -> None:
    from tests.adapters.slack.fake_slack import SlackUser

    visitor = SlackUser("U0VISIT", "Vic Visitor", team="T0OTHER")
    env.fake.users[visitor.id] = visitor
    reply = await env.slack.command(visitor, "/claim", "show 1")
    assert (
        text_of(reply["blocks"])
        == ":x: There is no claim #1 here. Try /claim search to find its id."
    )


async def test_check_claims_shortcut(env: SlackEnv) -> None:
    status, _ = await env.slack.shortcut(
        env.rita, "check_claims", "Putin says Russian forces have regained full control of Kursk"
    )
    assert status == 200
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postEphemeral")) == 1)
    [posted] = env.fake.calls_to("chat.postEphemeral")
    assert (posted["channel"], posted["user"]) == ("C0DESK", "U0RITA")
    text = text_of(posted["blocks"])
    # The verdict first, then the confident match, then what may be related under its heading.
    assert text.startswith("*This has been checked: 1 stored claim*\n*#1* ⛔ Russian forces")
    assert "\n*Possibly related — not the same claim?*\n" in text
    assert text.index("*#1*") < text.index("Possibly related")


async def test_not_this_one_under_a_check_is_kept_and_the_match_not_offered_again(
    env: SlackEnv,
) -> None:
    message = "Putin says Russian forces have regained full control of Kursk"
    await env.slack.shortcut(env.rita, "check_claims", message)
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postEphemeral")) == 1)
    [posted] = env.fake.calls_to("chat.postEphemeral")
    offered = {b["value"].split(":")[1] for b in buttons(posted["blocks"])}
    assert "2" in offered
    [not_two] = [b for b in buttons(posted["blocks"]) if b["text"]["text"] == "Not #2"]
    url = await env.slack.press(env.rita, not_two, posted["blocks"])
    answer = await env.slack.response_to(url)
    assert answer["response_type"] == "ephemeral"
    assert text_of(answer["blocks"]).startswith("Thanks: #2 is not offered again")
    # The same message checked again (its permalink is the same) no longer shows #2.
    await env.slack.shortcut(env.rita, "check_claims", message)
    await env.fake.wait_for(lambda: len(env.fake.calls_to("chat.postEphemeral")) == 2)
    again = env.fake.calls_to("chat.postEphemeral")[1]
    assert "2" not in {b["value"].split(":")[1] for b in buttons(again["blocks"])}
    assert "*#2*" not in text_of(again["blocks"])


async def test_moderators_are_managed_by_workspace_admins(env: SlackEnv) -> None:
    refused = await env.slack.command(env.rita, "/claimdesk", "moderators add user <@U0RITA|rita>")
    assert text_of(refused["blocks"]).startswith(":x: Only members who can manage this workspace")
    done = await env.slack.command(env.ada, "/claimdesk", "moderators add user <@U0RITA|rita>")
    assert "Done." in text_of(done["blocks"])
    assert "<@U0RITA>" in text_of(done["blocks"])
    verified = await env.slack.command(env.rita, "/claim", "verify 6 Matches UN figures")
    assert verified["response_type"] == "in_channel"


async def test_notifications_reach_slack_subscribers_despite_a_rate_limit(env: SlackEnv) -> None:
    subscribed = await env.slack.command(env.rita, "/subscribe", "claim 7")
    assert text_of(subscribed["blocks"]) == "You now follow claim #7 by DM."
    env.fake.post_failures = [ratelimited(1)]
    await env.slack.command(env.ed, "/claim", "dispute 7 Casualty lists disagree")
    await env.fake.wait_for(
        lambda: sum(c["channel"] == "U0RITA" for c in env.fake.calls_to("chat.postMessage")) >= 2,
        seconds=15,
    )
    dms = [c for c in env.fake.calls_to("chat.postMessage") if c["channel"] == "U0RITA"]
    assert len(dms) == 2  # refused once with Retry-After, then accepted
    await asyncio.sleep(0.3)
    assert sum(c["channel"] == "U0RITA" for c in env.fake.calls_to("chat.postMessage")) == 2
    assert "#7 ⛔ unverified → disputed by Eddie Editor: Casualty lists disagree" in text_of(
        dms[-1]["blocks"]
    )
    listed = await env.slack.command(env.rita, "/subscriptions", "")
    assert text_of(listed["blocks"]) == "*You follow:*\n• claim #7 by DM"
    assert all(BOT_TOKEN not in json.dumps(c.args) for c in env.fake.calls)


def _reader() -> Actor:
    return Actor(workspace="slack:T0NEWS", user_id="t", display_name="t")


def _mentions(text: str) -> list[str]:
    """Every special mention Slack would act on in a mrkdwn text."""
    return re.findall(r"<(?:!|@|#)[^>]*>", text)


async def test_a_source_url_cannot_ping_the_channel(env: SlackEnv) -> None:
    # Was accepted, and the shared answer carried a working @channel.
    before = env.snapshot()
    for url in [
        "https://example.org/a><!channel><x",
        "https://example.org/a|<!here>",
        "https://example.org/\u202egnp.exe",  # a right-to-left override hides the real name
        "https://example.org/a\u200bb",  # zero-width space
    ]:
        reply = await env.slack.command(env.rita, "/claim", f"source 5 {url}")
        assert reply["response_type"] == "ephemeral"
        assert text_of(reply["blocks"]).startswith(":x: The URL contains")
        assert _mentions(text_of(reply["blocks"])) == []
    assert env.snapshot() == before


async def test_a_link_slack_escaped_is_taken_as_its_url(env: SlackEnv) -> None:
    reply = await env.slack.command(
        env.rita, "/claim", "source 5 <https://www.example.org/nk|example.org/nk> stance:refutes"
    )
    assert reply["response_type"] == "in_channel"
    assert text_of(reply["blocks"]).endswith("*refutes* · <https://www.example.org/nk|example.org>")


async def test_a_homograph_host_is_shown_in_punycode(env: SlackEnv) -> None:
    reply = await env.slack.command(env.rita, "/claim", "source 5 https://\u0435xample.com/story")
    assert text_of(reply["blocks"]).endswith(
        "*context* · <https://xn--xample-2of.com/story|xn--xample-2of.com>"
    )


async def test_typed_values_in_every_answer_ping_nobody(env: SlackEnv) -> None:
    hostile = "<!channel> <@U0ED> <#C0DESK> &"
    answers = [
        await env.slack.command(env.rita, "/claim", f"add {hostile} said the mayor force:yes"),
        await env.slack.command(env.rita, "/claim", f"search kursk tag:{hostile}"),
        await env.slack.command(env.rita, "/claim", f"show {hostile}"),
        await env.slack.command(env.rita, "/subscribe", f"tag {hostile}"),
        await env.slack.command(env.rita, "/subscriptions", ""),
        await env.slack.command(env.ada, "/claimdesk", "moderators add user U0X><!channel"),
        await env.slack.command(env.ada, "/claimdesk", "moderators list"),
    ]
    assert text_of(answers[5]["blocks"]).startswith(":x: 'U0X&gt;&lt;!channel' is not a user id")
    for answer in answers:
        # The one mention written: the configured moderator, by the id Slack gave.
        allowed = {"<@U0ED>"}
        assert set(_mentions(answer.get("text", ""))) <= allowed, answer
        assert set(_mentions(text_of(answer.get("blocks", [])))) <= allowed, answer


async def test_lookup_lists_other_newsrooms_reviews_and_a_moderator_imports_one(
    env: SlackEnv,
) -> None:
    looked = await env.slack.command(env.ed, "/claim", "lookup kursk nuclear plant")
    assert looked["response_type"] == "ephemeral"
    text = text_of(looked["blocks"])
    assert (
        "“Video shows Kursk nuclear plant on fire after drone strike.” — Telegram channels" in text
    )
    assert "Verify Desk: False · <https://verify.example/kursk-npp-video|the review>" in text
    imports = [b for b in buttons(looked["blocks"]) if b["text"]["text"].startswith("Import")]
    assert [b["text"]["text"] for b in imports][:2] == ["Import 1", "Import 2"]
    nuclear = next(n for n, line in enumerate(text.splitlines()) if "nuclear plant on fire" in line)
    url = await env.slack.press(env.ed, imports[nuclear - 1])
    done = await env.slack.response_to(url)
    assert text_of(done["blocks"]).startswith("Imported as claim #10")
    # A reporter may look, but not import.
    await env.slack.command(env.rita, "/claim", "lookup kursk")
    url = await env.slack.press(env.rita, imports[0])
    refused = await env.slack.response_to(url)
    assert text_of(refused["blocks"]).startswith(":x: Only moderators")


async def test_an_unexpected_error_is_logged_with_its_reference_and_apologised_for(
    env: SlackEnv, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(env.service, "history", broken)
    reply = await env.slack.command(env.rita, "/claim", "history 1")
    assert reply["response_type"] == "ephemeral"
    [reference] = [
        r.getMessage().rsplit("reference ", 1)[1].rstrip(")")
        for r in caplog.records
        if r.exc_info and "disk on fire" in str(r.exc_info[1])
    ]
    assert reference.startswith("trig.")
    assert reply["text"] == (
        "Sorry, something went wrong on our side and nothing was changed. "
        f"If it keeps happening, tell your admin the reference {reference}."
    )
    assert "disk on fire" not in str(reply)
