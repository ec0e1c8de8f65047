"""The "Check claims" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.adapters.slack.answers import error_answer
from bot.adapters.slack.deps import SlackDeps
from bot.core.commands import grammar

CHECK_CLAIMS = "check_claims"


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.message_shortcut(CHECK_CLAIMS)
    async def check(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user = body["user"]
        channel = body["channel"]["id"]
        text = str(body.get("message", {}).get("text", ""))
        try:
            actor = await deps.identity.actor(
                body["team"]["id"], user["id"], user.get("username", "")
            )
            command = grammar.Check(text, link=_permalink(body), channel=channel)
            reply = await deps.commands.run(actor, command)
            fallback, reply_blocks = blocks.reply_blocks(reply)
        except Exception as error:
            fallback, reply_blocks = error_answer(error, body, "Check claims")
        await client.chat_postEphemeral(
            channel=channel, user=user["id"], text=fallback, blocks=reply_blocks
        )


def _permalink(body: dict[str, Any]) -> str | None:
    """The message's address, as Slack's permalinks spell it, when the payload names the
    workspace's domain (a message checked twice is then one message)."""
    domain = (body.get("team") or {}).get("domain")
    ts = str((body.get("message") or {}).get("ts", ""))
    channel = (body.get("channel") or {}).get("id")
    if not (domain and ts and channel):
        return None
    return f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
