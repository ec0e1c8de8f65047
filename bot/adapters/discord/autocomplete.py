"""Autocomplete shared by every command that takes a claim or a tag."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.core.errors import ClaimdeskError
from bot.core.models import ClaimSummary
from bot.core.service import ClaimService
from bot.core.validation import is_whole_number

LIMIT = 25  # Discord shows at most 25 choices


async def claim_choices(
    service: ClaimService, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """An id shows that claim; words search (the last word as a prefix); nothing lists the newest."""
    try:
        actor = actor_from(interaction)
        text = current.strip().lstrip("#")
        items: list[ClaimSummary]
        if is_whole_number(text):
            try:
                items = [(await service.show(actor, text)).claim.summary()]
            except ClaimdeskError:
                items = []
        else:
            query = text + "*" if text else ""
            items = list((await service.search(actor, query, page_size=LIMIT)).items)
    except ClaimdeskError:
        return []  # half-typed input is normal while autocompleting
    return [app_commands.Choice(name=render.autocomplete_label(i), value=str(i.id)) for i in items]


async def tag_choices(
    service: ClaimService, interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    try:
        tags = await service.tag_suggestions(actor_from(interaction), current, limit=LIMIT)
    except ClaimdeskError:
        return []
    return [app_commands.Choice(name=t, value=t) for t in tags]
