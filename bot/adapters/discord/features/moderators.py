"""/claimdesk moderators add|remove|list (which roles are this server's moderators), notices,
and status (how Claimdesk matches right now)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.presentation import matching_status_lines

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord


def _roles_text(guild: discord.Guild | None, role_ids: frozenset[str]) -> str:
    # <@&id> renders as the role's name; AllowedMentions.none() keeps it from pinging.
    return ", ".join(f"<@&{r}>" for r in sorted(role_ids)) or "none yet"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCommands(
    app_commands.Group, name="claimdesk", description="Claimdesk settings for this server"
):
    moderators = app_commands.Group(
        name="moderators", description="Roles that may verify and dispute claims"
    )
    notices = app_commands.Group(
        name="notices", description="Where Claimdesk tells people it cannot DM them"
    )

    def __init__(self, client: ClaimdeskDiscord) -> None:
        super().__init__()
        self.client = client

    async def _set(
        self, interaction: discord.Interaction, role: discord.Role, present: bool
    ) -> None:
        async def work() -> Reply:
            actor = actor_from(interaction)
            command = g.Moderators("add" if present else "remove", "role", str(role.id))
            done = await self.client.commands.ask(actor, command, r.ModeratorsReply)
            changed, settings = done.changed, done.settings
            verb = "is now" if present else "is no longer"
            head = f"{role.mention} {verb} a moderator role." if changed else "Nothing to change."
            return Reply(
                content=f"{head}\nModerator roles: {_roles_text(interaction.guild, settings.role_ids)} (and Administrators)",
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)

    @moderators.command(
        name="add", description="Let members with this role verify and dispute claims"
    )
    async def add(self, interaction: discord.Interaction, role: discord.Role) -> None:
        await self._set(interaction, role, True)

    @moderators.command(name="remove", description="Stop this role from moderating claims")
    async def remove(self, interaction: discord.Interaction, role: discord.Role) -> None:
        await self._set(interaction, role, False)

    @moderators.command(name="list", description="Which roles moderate claims here")
    async def list_(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            listed = g.Moderators("list")
            actor = actor_from(interaction)
            settings = (await self.client.commands.ask(actor, listed, r.ModeratorsReply)).settings
            users = ", ".join(f"<@{u}>" for u in sorted(settings.user_ids))
            text = f"Moderator roles: {_roles_text(interaction.guild, settings.role_ids)} (and Administrators)"
            return Reply(
                content=text + (f"\nModerator users: {users}" if users else ""), ephemeral=True
            )

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)

    @notices.command(name="set", description="Post 'I can't DM you' notices in this channel")
    async def notices_set(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        async def work() -> Reply:
            actor = actor_from(interaction)
            set_to = g.SetNoticeChannel(str(channel.id))
            await self.client.commands.ask(actor, set_to, r.NoticeChannelReply)
            return Reply(
                content=f"Claimdesk will post delivery notices in {channel.mention}.",
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)

    @notices.command(name="off", description="Post no delivery notices")
    async def notices_off(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            actor = actor_from(interaction)
            off = await self.client.commands.ask(
                actor, g.SetNoticeChannel(None), r.NoticeChannelReply
            )
            return Reply(content=r.widget_text(off), ephemeral=True)

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)

    @app_commands.command(name="status", description="How Claimdesk matches claims right now")
    async def status(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            actor = actor_from(interaction)
            shown = await self.client.commands.ask(actor, g.ShowStatus(), r.DeskStatusReply)
            lines = matching_status_lines(shown.status)
            return Reply(content="\n".join(lines), ephemeral=True)

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)
