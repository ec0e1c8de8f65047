"""Turn a Discord interaction's user into the core's Actor."""

from __future__ import annotations

import discord

from bot.core.errors import InvalidInput
from bot.core.models import Actor


def workspace_of(guild_id: int) -> str:
    return f"discord:{guild_id}"


def actor_from(interaction: discord.Interaction) -> Actor:
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise InvalidInput(
            "Claimdesk works inside a server: use the command in one of its channels."
        )
    member = interaction.user
    # resolved_permissions come with the interaction itself (channel overwrites applied), so
    # they are right even when the member cache is empty (we request no member intent).
    permissions = member.resolved_permissions or member.guild_permissions
    return Actor(
        workspace=workspace_of(interaction.guild_id),
        user_id=str(member.id),
        display_name=member.display_name,
        role_ids=frozenset(str(role_id) for role_id in member._roles),
        is_workspace_admin=permissions.administrator,
        can_manage_workspace=permissions.manage_guild,
        can_manage_channels=permissions.manage_channels,
    )


def reader_from(interaction: discord.Interaction, guild_id: int) -> Actor:
    """Someone reading a claim of ``guild_id`` from a notification, possibly in a DM.

    Only good for reading: it carries no roles or permissions, so the core refuses any change.
    """
    if interaction.guild_id is not None and interaction.guild_id != guild_id:
        raise InvalidInput("That button belongs to another server.")
    return Actor(
        workspace=workspace_of(guild_id),
        user_id=str(interaction.user.id),
        display_name=interaction.user.display_name,
    )
