"""`/claim lookup`: other organisations' published fact-checks for a text, each with a button
that imports it into the desk (moderators). The buttons are DynamicItems: after a restart, or on
another shard's process, they still import what the person saw (the results are kept in the
store)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands.grammar import ImportLookedUp, Lookup
from bot.core.commands.replies import ImportedReviewReply, LookupReply
from bot.core.presentation import describe_adopted

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


class ImportButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"cd:lk:(?P<n>[0-9])"
):
    def __init__(self, number: int) -> None:
        self.number = number
        super().__init__(
            discord.ui.Button(
                label=f"Import {number}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cd:lk:{number}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ImportButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            command = ImportLookedUp(str(self.number))
            reply = await client.commands.ask(actor_from(interaction), command, ImportedReviewReply)
            return Reply(content=describe_adopted(reply.adopted), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)


def lookup_command(client: ClaimdeskDiscord) -> app_commands.Command[Any, Any, None]:
    @app_commands.command(name="lookup", description="Published fact-checks of other newsrooms")
    @app_commands.describe(text="The claim, in your words or as posted")
    async def lookup(
        interaction: discord.Interaction, text: app_commands.Range[str, 1, 300]
    ) -> None:
        async def work() -> Reply:
            reply = await client.commands.ask(actor_from(interaction), Lookup(text), LookupReply)
            view = None
            if reply.result.reviews:
                view = discord.ui.View(timeout=None)
                for n in range(1, len(reply.result.reviews) + 1):
                    view.add_item(ImportButton(n))
            return Reply(embed=render.lookup_embed(reply.result), view=view, ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    return cast("app_commands.Command[Any, Any, None]", lookup)
