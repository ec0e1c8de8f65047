"""The Discord front end: the bot and its notification deliverer, run until asked to stop."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bot.adapters.discord.app import (
    DEFAULT_DEFER_AFTER,
    ClaimdeskDiscord,
    ShardedClaimdeskDiscord,
    point_at,
)
from bot.adapters.discord.deliver import DiscordDeliverer
from bot.config import DiscordConfig
from bot.core.commands import CommandRunner
from bot.runtime import Unreachable

log = logging.getLogger(__name__)


class DiscordFrontEnd:
    name = "discord"

    def __init__(
        self,
        commands: CommandRunner,
        config: DiscordConfig,
        *,
        defer_after: float = DEFAULT_DEFER_AFTER,
    ) -> None:
        if config.token is None:
            raise ValueError("the Discord front end needs a token")
        if config.api_base:
            point_at(config.api_base)
        self._token = config.token
        if config.shard_count:
            self.client: ClaimdeskDiscord = ShardedClaimdeskDiscord(
                commands,
                test_guild_id=config.test_guild_id,
                defer_after=defer_after,
                shard_count=config.shard_count,
                shard_ids=config.shard_ids or None,
            )
        else:
            self.client = ClaimdeskDiscord(
                commands, test_guild_id=config.test_guild_id, defer_after=defer_after
            )
        self.deliverer = DiscordDeliverer(self.client)

    async def serve(self, stop: asyncio.Event) -> None:
        async with self.client:
            runner = asyncio.create_task(
                self.client.start(self._token.get_secret_value()), name="discord"
            )
            stopper = asyncio.create_task(stop.wait(), name="discord-stop")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:
                stopper.cancel()
                _raise_unreachable(runner)  # a login failure or crash surfaces here
                return
            log.info("Discord: shutting down")
            await self.client.close()
            await runner


def _raise_unreachable(runner: asyncio.Task[None]) -> None:
    """The bot's end, said in one line when Discord could not be reached or refused it."""
    try:
        runner.result()
    except discord.LoginFailure:
        raise Unreachable("Discord refused the bot token (DISCORD_TOKEN)") from None
    except discord.PrivilegedIntentsRequired:
        raise Unreachable(
            "Discord refused an intent the bot asks for: enable it in the Developer Portal"
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound) as error:
        raise Unreachable(f"Discord cannot be reached: {error or type(error).__name__}") from None
