"""Answering an interaction: on time, once, with errors shown only to the person who asked.

Discord drops an interaction not answered within 3 seconds. ``answer`` starts the work, and if it
is not done after ``defer_after`` seconds it defers (Discord shows "thinking…") and follows up.
A refusal from the core is always ephemeral; an unexpected error is logged with the interaction
id and the user gets a short apology carrying that id, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

import discord
from discord import app_commands

from bot.core.errors import ClaimdeskError
from bot.core.presentation import apology

log = logging.getLogger(__name__)


@dataclass
class Reply:
    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = False
    extra_embeds: list[discord.Embed] = field(default_factory=list)

    def embeds(self) -> list[discord.Embed]:
        return ([self.embed] if self.embed else []) + self.extra_embeds


async def send(interaction: discord.Interaction, reply: Reply) -> None:
    view = reply.view if reply.view is not None else discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(
            content=reply.content if reply.content is not None else discord.utils.MISSING,
            embeds=reply.embeds(),
            view=view,
            ephemeral=reply.ephemeral,
        )
    else:
        await interaction.response.send_message(
            content=reply.content, embeds=reply.embeds(), view=view, ephemeral=reply.ephemeral
        )


async def send_error(interaction: discord.Interaction, message: str) -> None:
    if not interaction.response.is_done():
        await interaction.response.send_message(message, ephemeral=True)
        return
    deferred_publicly = (
        interaction.response.type is discord.InteractionResponseType.deferred_channel_message
        and not interaction.extras.get("deferred_ephemeral", False)
    )
    if deferred_publicly:
        # The first follow-up of a public "thinking…" would be public too: remove it first.
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.warning("could not remove the deferred response of interaction %s", interaction.id)
    await interaction.followup.send(message, ephemeral=True)


_T = TypeVar("_T")


async def guarded(interaction: discord.Interaction, work: Awaitable[_T]) -> _T | None:
    """``work``'s result, or None once a refusal or an unexpected error has been answered."""
    try:
        return await work
    except Exception as error:
        await answer_error(interaction, error)
    return None


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one place an error becomes an answer, shown only to the person who asked: the
    core's refusal as it is worded, what discord.py refused before our code ran, or (logged
    with the interaction id) the apology every front end gives."""
    original = getattr(error, "original", error)
    if isinstance(original, ClaimdeskError):
        await send_error(interaction, f"✖ {original}")
    elif isinstance(error, app_commands.CheckFailure):
        await send_error(interaction, "✖ You can't use this command here.")
    elif isinstance(error, app_commands.TransformerError):
        await send_error(
            interaction,
            f"✖ I can't use “{error.value}” here as a {error.type.name}; pick another one.",
        )
    else:
        await report_unexpected(interaction, original)


async def answer(
    interaction: discord.Interaction,
    work: Awaitable[Reply],
    *,
    defer_after: float,
    ephemeral: bool,
) -> None:
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=defer_after)
    if not done:
        interaction.extras["deferred_ephemeral"] = ephemeral
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    reply = await guarded(interaction, task)
    if reply is not None:
        await send(interaction, reply)


async def report_unexpected(interaction: discord.Interaction, error: BaseException) -> None:
    """The one place unexpected errors end: logged with the interaction id, apologised for."""
    log.error(
        "interaction %s (%s) failed",
        interaction.id,
        interaction.command.qualified_name if interaction.command else interaction.data,
        exc_info=error,
    )
    try:
        await send_error(interaction, apology(str(interaction.id)))
    except discord.HTTPException:
        log.warning("could not tell the user about the failure of interaction %s", interaction.id)
