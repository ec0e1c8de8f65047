"""Search paging and the Show button of notifications. Both are DynamicItems: their state
lives in the custom id, so they keep working after the bot restarts. (Moderation buttons and
forms are in moderation.py, the duplicate prompt in duplicates.py.)"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from, reader_from
from bot.adapters.discord.respond import Reply, answer, guarded
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.models import SearchPage

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

log = logging.getLogger(__name__)
CUSTOM_ID_MAX = 100


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


# ----------------------------------------------------------------------------- search paging
def page_custom_id(page: int, status: str | None, tag: str | None, query: str) -> str:
    return f"cd:pg:{page}:{status or ''}:{tag or ''}:{query}"


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:pg:(?P<page>[0-9]+):(?P<status>[a-z]*):(?P<tag>[a-z0-9-]*):(?P<query>.*)",
):
    def __init__(
        self,
        *,
        page: int,
        status: str | None,
        tag: str | None,
        query: str,
        label: str,
        disabled: bool = False,
    ) -> None:
        self.page, self.status, self.tag, self.query = page, status, tag, query
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=page_custom_id(page, status, tag, query),
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(
            page=int(match["page"]),
            status=match["status"] or None,
            tag=match["tag"] or None,
            query=match["query"],
            label=getattr(item, "label", None) or "",
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)
        command = g.Search(self.query, self.status, self.tag, self.page)
        reply = await guarded(
            interaction, client.commands.ask(actor_from(interaction), command, r.SearchReply)
        )
        if reply is None:
            return
        result = reply.page
        embed = render.search_embed(self.query, self.status, self.tag, result)
        view = search_view(self.query, self.status, self.tag, result)
        message = interaction.message
        if message is not None and message.flags.ephemeral:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            # A shared page stays as it was for everyone; the next page is for this person.
            await interaction.response.send_message(
                embed=embed, view=view or discord.utils.MISSING, ephemeral=True
            )


def search_view(
    query: str, status: str | None, tag: str | None, page: SearchPage
) -> discord.ui.View | None:
    if page.pages <= 1 or len(page_custom_id(page.pages, status, tag, query)) > CUSTOM_ID_MAX:
        # A query too long to carry in a button id is paged with the command's page option.
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        PageButton(
            page=max(1, page.page - 1),
            status=status,
            tag=tag,
            query=query,
            label="◀ Previous",
            disabled=not page.has_previous,
        )
    )
    view.add_item(
        PageButton(
            page=page.page + 1,
            status=status,
            tag=tag,
            query=query,
            label="Next ▶",
            disabled=not page.has_next,
        )
    )
    return view


# ----------------------------------------------------------------------------- notifications
class ShowButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:show:(?P<guild>[0-9]+):(?P<claim>[0-9]+)",
):
    """On a notification (often a DM, outside the server): show the claim privately."""

    def __init__(self, guild_id: int, claim_id: int) -> None:
        self.guild_id, self.claim_id = guild_id, claim_id
        super().__init__(
            discord.ui.Button(
                label=f"Show #{claim_id}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cd:show:{guild_id}:{claim_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowButton:
        return cls(int(match["guild"]), int(match["claim"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            actor = reader_from(interaction, self.guild_id)
            shown = await client.commands.ask(actor, g.Show(str(self.claim_id)), r.ClaimReply)
            return Reply(embed=render.claim_embed(shown.detail), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)
