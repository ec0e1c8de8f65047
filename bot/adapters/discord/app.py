"""The Discord client: builds the command tree from the feature modules and runs the bot."""

from __future__ import annotations

import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.adapters.discord.components import PageButton, ShowButton
from bot.adapters.discord.duplicates import AddAnywayButton, CancelAddButton, PendingAdds
from bot.adapters.discord.features.check import VerdictButton, check_claims_menu
from bot.adapters.discord.features.claims import ClaimCommands
from bot.adapters.discord.features.desk import (
    QueuePageButton,
    SendToDeskButton,
    TakeButton,
    desk_commands,
)
from bot.adapters.discord.features.lookup import ImportButton, lookup_command
from bot.adapters.discord.features.moderators import AdminCommands
from bot.adapters.discord.features.subscriptions import (
    SubscribeCommands,
    UnsubscribeCommands,
    subscriptions_command,
)
from bot.adapters.discord.moderation import StatusButton, answer_reason_form
from bot.adapters.discord.respond import answer_error
from bot.core.commands import CommandRunner
from bot.core.presentation import plural

log = logging.getLogger(__name__)

# Answer "thinking…" when the core has not answered after this long (Discord allows 3 s).
DEFAULT_DEFER_AFTER = 1.5


def point_at(api_base: str) -> None:
    """Send REST calls and the gateway connection to ``api_base`` instead of discord.com.

    Only the test suite's fake Discord uses this; discord.py keeps both endpoints as class
    attributes, so they are set once per process, before the client connects.
    """
    base = yarl.URL(api_base)
    discord.http.Route.BASE = str(base / "api" / "v10")
    DiscordWebSocket.DEFAULT_GATEWAY = (
        base.with_scheme("wss" if base.scheme == "https" else "ws") / "gateway"
    )


class ClaimdeskTree(app_commands.CommandTree[discord.Client]):
    """The central error handler for everything the command tree runs."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await answer_error(interaction, error)


class ClaimdeskDiscord(discord.Client):
    def __init__(
        self,
        commands: CommandRunner,
        *,
        test_guild_id: int = 0,
        defer_after: float = DEFAULT_DEFER_AFTER,
        **client_options: Any,
    ) -> None:
        # Slash commands, buttons and menus arrive as interactions, which need no intent at all;
        # `guilds` (not privileged) keeps role names for mentions. No message content, no members.
        super().__init__(
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            # Longer rate-limit waits surface as RateLimited, so the notification dispatcher
            # reschedules instead of holding a sender for minutes.
            max_ratelimit_timeout=30.0,
            **client_options,
        )
        # The one application path, built once in the bootstrap and shared by every front end:
        # every slash command, button, form and autocomplete goes through it.
        self.commands = commands
        self.defer_after = defer_after
        self.test_guild_id = test_guild_id
        self.tree = ClaimdeskTree(self)
        self.ready_once = False
        # What "Add anyway" would add, until its author decides (see duplicates.py).
        self.pending_adds = PendingAdds()

    async def setup_hook(self) -> None:
        claims = ClaimCommands(self)
        claims.add_command(lookup_command(self))
        for command in desk_commands(self):
            claims.add_command(command)
        self.tree.add_command(claims)
        self.tree.add_command(AdminCommands(self))
        self.tree.add_command(check_claims_menu(self))
        self.tree.add_command(SubscribeCommands(self))
        self.tree.add_command(UnsubscribeCommands(self))
        self.tree.add_command(subscriptions_command(self))
        # Buttons on messages sent before a restart are routed by their custom id.
        self.add_dynamic_items(
            PageButton,
            StatusButton,
            ShowButton,
            AddAnywayButton,
            CancelAddButton,
            ImportButton,
            VerdictButton,
            TakeButton,
            SendToDeskButton,
            QueuePageButton,
        )
        await self._sync()

    async def _sync(self) -> None:
        if self.test_guild_id:
            guild = discord.Object(id=self.test_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to test guild %s", len(synced), self.test_guild_id)
        else:
            synced = await self.tree.sync()
            log.info(
                "synced %d global commands (they can take up to an hour to appear)", len(synced)
            )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Reason forms are answered from their custom id, whoever opened them and across
        # restarts (see moderation.py); everything else is routed by discord.py itself.
        try:
            await answer_reason_form(interaction)
        except Exception as error:
            await answer_error(interaction, error)

    async def on_ready(self) -> None:
        self.ready_once = True
        log.info("Discord ready as %s in %s", self.user, plural(len(self.guilds), "server"))


class ShardedClaimdeskDiscord(ClaimdeskDiscord, discord.AutoShardedClient):
    """The same bot on some of a sharded bot's shards (``shard_ids`` of ``shard_count``): each
    process of a fleet runs its own, and Discord sends each server's interactions to one."""
