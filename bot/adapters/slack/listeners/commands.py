"""Slash commands: /claim, /subscribe, /unsubscribe, /subscriptions, /claimdesk.

Each one is acknowledged at once (Slack allows 3 seconds), then parsed with the same grammar as
the console and answered through the command's response_url.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.adapters.slack import blocks
from bot.adapters.slack.answers import error_answer
from bot.adapters.slack.deps import SlackDeps
from bot.core.commands import grammar
from bot.core.commands import replies as r
from bot.core.errors import InvalidInput

# Replies the whole channel should see; everything else (and every error) is ephemeral.
PUBLIC = (r.AddedReply, r.SourceReply, r.StatusReply)
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_GROUP = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")
# A link as Slack escapes it when the app asks for escaped command text: <url> or <url|label>.
_LINK = re.compile(r"<(https?://[^\s<>|]+)(?:\|[^<>]*)?>")


def unwrap_links(text: str) -> str:
    """Slack's escaped links back to the URL as typed (the core validates it)."""
    return _LINK.sub(r"\1", text)


def normalise_mentions(text: str) -> str:
    """Slack escapes @user and @group in command text; the core wants their ids."""
    return _GROUP.sub(r"\1", _USER.sub(r"\1", text))


_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


async def _named(deps: SlackDeps, team_id: str, command: grammar.Assign) -> grammar.Assign:
    """The assignee as Slack knows them: a mention or an id gets its name; a ``@handle`` (sent
    as typed when the app does not escape command text) is looked up; nobody by that name is
    refused before anything changes."""
    assert command.to_id is not None
    if not _SLACK_ID.match(command.to_id):
        found = await deps.identity.member_named(team_id, command.to_id)
        if found is None:
            raise InvalidInput(
                f"Nobody here answers to @{command.to_id}: mention them (to:@name, picked from"
                " the list) or give their member id."
            )
        return dataclasses.replace(command, to_id=found[0], to_name=found[1])
    if command.to_name and command.to_name != command.to_id:
        return command
    member = await deps.identity.actor(team_id, command.to_id, command.to_id)
    return dataclasses.replace(command, to_name=member.display_name)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def handle(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        name = str(body["command"]).lstrip("/")
        text = unwrap_links(str(body.get("text", "")))
        if name == "claim" and text.lstrip().lower().startswith("assign"):
            # to:@member arrives as <@U123|name>; the core wants the id (a claim's text is
            # never touched: only assign's line is).
            text = _USER.sub(lambda m: m.group(0).split("|")[0] + ">", text)
        if name == "claimdesk":
            # Settings name people and groups: the core wants their ids, and Slack's "user
            # groups" are the core's roles. Claim text is left exactly as typed.
            text = normalise_mentions(text).replace(" group ", " role ")
        line = f"/{name} {text}".strip()
        try:
            actor = await deps.identity.actor(
                body["team_id"], body["user_id"], body.get("user_name", "")
            )
            command = grammar.parse(line)
            if isinstance(command, grammar.Check):
                # A request says where it was asked.
                command = dataclasses.replace(command, channel=body.get("channel_id"))
            if isinstance(command, grammar.Assign) and command.to_id:
                command = await _named(deps, body["team_id"], command)
            if (
                isinstance(command, grammar.Subscribe)
                and command.delivery == "channel"
                and not command.channel
            ):
                command = dataclasses.replace(command, channel=body["channel_id"])
            reply = await deps.commands.run(actor, command)
        except Exception as error:
            text, error_blocks = error_answer(error, body, f"command {line!r}")
            await respond(text=text, blocks=error_blocks or None, response_type="ephemeral")
            return
        text, reply_blocks = blocks.reply_blocks(reply, who=actor.display_name)
        public = isinstance(reply, PUBLIC)
        await respond(
            text=text, blocks=reply_blocks, response_type="in_channel" if public else "ephemeral"
        )

    for name in ("/claim", "/subscribe", "/unsubscribe", "/subscriptions", "/claimdesk"):
        app.command(name)(handle)
