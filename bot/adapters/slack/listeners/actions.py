"""Buttons: moderation (opens the reason modal), search and queue paging, a lookup's import,
the verdicts on a check's matches, "Take it" and "Send to the desk"."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.answers import guarded
from bot.adapters.slack.deps import SlackDeps
from bot.core.commands import replies as r
from bot.core.commands.grammar import (
    Assign,
    Command,
    GiveVerdict,
    ImportLookedUp,
    MayChange,
    Queue,
    Search,
    SendToDesk,
)
from bot.core.models import Actor, Status, Verdict


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def actor_of(body: dict[str, Any]) -> Actor:
        user = body["user"]
        return await deps.identity.actor(_team(body), user["id"], user.get("username", ""))

    _register_answered(app, deps, actor_of)

    @app.action(re.compile(f"^{blocks.STATUS_ACTION}_"))
    async def moderate(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        claim, version, status = body["actions"][0]["value"].split(":")

        async def may_change() -> bool:
            # Refuse before asking for a reason: moderators only, and only on the revision the
            # moderator is looking at.
            actor = await actor_of(body)
            await deps.commands.ask(actor, MayChange(claim, int(version)), r.MayChangeReply)
            return True

        if not await guarded(respond, body, may_change(), "moderation"):
            return
        channel = (body.get("channel") or {}).get("id", "")
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=blocks.reason_modal(int(claim), int(version), Status(status), channel),
        )

    @app.action(re.compile(f"^{blocks.PAGE_ACTION}_"))
    async def page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        wanted = json.loads(body["actions"][0]["value"])

        command = Search(wanted["q"], wanted["s"], wanted["t"], int(wanted["p"]))

        async def work() -> r.SearchReply:
            return await deps.commands.ask(await actor_of(body), command, r.SearchReply)

        reply = await guarded(respond, body, work(), "paging")
        if reply is None:
            return
        await respond(
            text="Search results", blocks=blocks.search_blocks(reply), replace_original=True
        )

    @app.action(re.compile(f"^{blocks.QUEUE_PAGE_ACTION}_"))
    async def queue_page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        wanted = json.loads(body["actions"][0]["value"])
        command = Queue(wanted["v"], wanted["t"], wanted["s"], int(wanted["p"]))

        async def work() -> r.QueueReply:
            return await deps.commands.ask(await actor_of(body), command, r.QueueReply)

        reply = await guarded(respond, body, work(), "queue paging")
        if reply is None:
            return
        await respond(
            text="The desk's queue", blocks=blocks.queue_blocks(reply), replace_original=True
        )


def _register_answered(
    app: AsyncApp, deps: SlackDeps, actor_of: Callable[[dict[str, Any]], Awaitable[Actor]]
) -> None:
    """The buttons answered with a message of their own: a lookup's import, a verdict."""

    @app.action(re.compile(f"^{blocks.LOOKUP_IMPORT_ACTION}_"))
    async def import_looked_up(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        number = str(body["actions"][0]["value"])

        async def work() -> r.Reply:
            return await deps.commands.run(await actor_of(body), ImportLookedUp(number))

        reply = await guarded(respond, body, work(), "lookup import")
        if reply is not None:
            text, reply_blocks = blocks.reply_blocks(reply)
            await respond(
                text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False
            )

    async def answer_with(body: dict[str, Any], respond: AsyncRespond, command: Command) -> None:
        async def work() -> r.Reply:
            return await deps.commands.run(await actor_of(body), command)

        reply = await guarded(respond, body, work(), type(command).__name__)
        if reply is not None:
            text, reply_blocks = blocks.reply_blocks(reply)
            await respond(
                text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False
            )

    @app.action(re.compile(f"^{blocks.TAKE_ACTION}_"))
    async def take(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answer_with(body, respond, Assign(str(body["actions"][0]["value"])))

    @app.action(blocks.DESK_ACTION)
    async def send_to_desk(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await answer_with(body, respond, SendToDesk(str(body["actions"][0]["value"])))

    @app.action(re.compile(f"^{blocks.VERDICT_ACTION}_"))
    async def verdict(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        check, claim, given = str(body["actions"][0]["value"]).split(":")

        async def work() -> r.Reply:
            command = GiveVerdict(check, claim, Verdict(given))
            return await deps.commands.run(await actor_of(body), command)

        reply = await guarded(respond, body, work(), "verdict")
        if reply is not None:
            text, reply_blocks = blocks.reply_blocks(reply)
            await respond(
                text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False
            )
