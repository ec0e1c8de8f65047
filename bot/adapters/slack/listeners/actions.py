"""Buttons: moderation (opens the reason modal) and search paging."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.deps import SlackDeps, apology, log
from bot.core.commands import replies as r
from bot.core.commands.grammar import ImportLookedUp
from bot.core.errors import ClaimdeskError
from bot.core.models import Status


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or body["user"]["team_id"])


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(re.compile(f"^{blocks.STATUS_ACTION}_"))
    async def moderate(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        claim, version, status = body["actions"][0]["value"].split(":")
        user = body["user"]
        try:
            actor = await deps.identity.actor(_team(body), user["id"], user.get("username", ""))
            # Refuse before asking for a reason: moderators only, and only on the revision the
            # moderator is looking at.
            await deps.service.ensure_can_change(actor, claim, expected_version=int(version))
        except ClaimdeskError as error:
            text, error_blocks = blocks.error_blocks(str(error))
            await respond(
                text=text, blocks=error_blocks, response_type="ephemeral", replace_original=False
            )
            return
        channel = (body.get("channel") or {}).get("id", "")
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=blocks.reason_modal(int(claim), int(version), Status(status), channel),
        )

    @app.action(re.compile(f"^{blocks.LOOKUP_IMPORT_ACTION}_"))
    async def import_looked_up(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        user = body["user"]
        try:
            actor = await deps.identity.actor(_team(body), user["id"], user.get("username", ""))
            reply = await deps.commands.run(actor, ImportLookedUp(str(body["actions"][0]["value"])))
        except ClaimdeskError as error:
            text, error_blocks = blocks.error_blocks(str(error))
            await respond(
                text=text, blocks=error_blocks, response_type="ephemeral", replace_original=False
            )
            return
        except Exception:
            log.exception("Slack lookup import failed (trigger %s)", body.get("trigger_id"))
            await respond(text=apology(str(body.get("trigger_id"))), replace_original=False)
            return
        text, reply_blocks = blocks.reply_blocks(reply)
        await respond(
            text=text, blocks=reply_blocks, response_type="ephemeral", replace_original=False
        )

    @app.action(re.compile(f"^{blocks.PAGE_ACTION}_"))
    async def page(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        wanted = json.loads(body["actions"][0]["value"])
        user = body["user"]
        try:
            actor = await deps.identity.actor(_team(body), user["id"], user.get("username", ""))
            result = await deps.service.search(
                actor, wanted["q"], status=wanted["s"], tag=wanted["t"], page=int(wanted["p"])
            )
        except ClaimdeskError as error:
            text, error_blocks = blocks.error_blocks(str(error))
            await respond(
                text=text, blocks=error_blocks, response_type="ephemeral", replace_original=False
            )
            return
        except Exception:
            log.exception("Slack paging failed (trigger %s)", body.get("trigger_id"))
            await respond(text=apology(str(body.get("trigger_id"))), replace_original=False)
            return
        reply = r.SearchReply(query=wanted["q"], status=wanted["s"], tag=wanted["t"], page=result)
        await respond(
            text="Search results", blocks=blocks.search_blocks(reply), replace_original=True
        )
