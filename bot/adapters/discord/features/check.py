"""The "Check claims" message menu: which stored claims does this message repeat?"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands.grammar import Check
from bot.core.commands.replies import CheckReply

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord


def check_claims_menu(client: ClaimdeskDiscord) -> app_commands.ContextMenu:
    async def check_claims(interaction: discord.Interaction, message: discord.Message) -> None:
        async def work() -> Reply:
            # The interaction carries the message's content, so no message-content intent is needed.
            text = " ".join([message.content, *(e.description or "" for e in message.embeds)])
            reply = await client.commands.ask(actor_from(interaction), Check(text), CheckReply)
            return Reply(embed=render.matches_embed(list(reply.matches)), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    menu = app_commands.ContextMenu(name="Check claims", callback=check_claims)
    menu.guild_only = True
    return menu
