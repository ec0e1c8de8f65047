"""Autocomplete shared by every command that takes a claim or a tag: what is offered is the
core's (commands.SuggestClaims, SuggestTags); this module only makes Discord's choices of it."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.core.commands import CommandRunner
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.errors import ClaimdeskError

LIMIT = 25  # Discord shows at most 25 choices


async def claim_choices(
    commands: CommandRunner, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    try:
        offered = await commands.ask(
            actor_from(interaction), g.SuggestClaims(current, LIMIT), r.ClaimSuggestions
        )
    except ClaimdeskError:
        return []  # an autocomplete box cannot show a refusal: it offers nothing
    return [
        app_commands.Choice(name=render.autocomplete_label(i), value=str(i.id))
        for i in offered.claims
    ]


async def tag_choices(
    commands: CommandRunner, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    try:
        offered = await commands.ask(
            actor_from(interaction), g.SuggestTags(current, LIMIT), r.TagSuggestions
        )
    except ClaimdeskError:
        return []
    return [app_commands.Choice(name=t, value=t) for t in offered.tags]
