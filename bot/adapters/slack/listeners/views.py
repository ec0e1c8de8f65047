"""The reason modal: its submission changes the status and tells the channel."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.answers import error_answer
from bot.adapters.slack.deps import SlackDeps
from bot.core.commands import replies as r
from bot.core.commands.grammar import ChangeStatus
from bot.core.errors import ClaimdeskError
from bot.core.models import Status


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(blocks.REASON_VIEW)
    async def submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body["view"]
        meta = json.loads(view["private_metadata"])
        reason = view["state"]["values"]["reason"]["reason"]["value"] or ""
        user = body["user"]
        try:
            actor = await deps.identity.actor(user["team_id"], user["id"], user.get("username", ""))
            change = ChangeStatus(
                str(meta["claim"]), Status(meta["status"]), reason, version=meta["version"]
            )
            changed = await deps.commands.ask(actor, change, r.StatusReply)
        except Exception as error:
            # Keep the modal open with the problem shown under the reason field (plain text:
            # the core's refusal as it is worded, or the apology).
            shown = (
                str(error)
                if isinstance(error, ClaimdeskError)
                else error_answer(error, body, "reason form")[0]
            )
            await ack(response_action="errors", errors={"reason": shown[:150]})
            return
        await ack()
        text, reply_blocks = blocks.reply_blocks(changed)
        await client.chat_postMessage(
            channel=meta["channel"] or user["id"], text=text, blocks=reply_blocks
        )
