"""Run the Discord bot until asked to stop."""

from __future__ import annotations

import asyncio
import logging

from pydantic import SecretStr

from bot.adapters.discord.app import ClaimdeskDiscord, point_at
from bot.config import DiscordConfig
from bot.core.service import ClaimService

log = logging.getLogger(__name__)


async def serve_discord(service: ClaimService, config: DiscordConfig, stop: asyncio.Event) -> None:
    token: SecretStr | None = config.token
    if token is None:
        raise ValueError("serve_discord needs a token")
    if config.api_base:
        point_at(config.api_base)
    client = ClaimdeskDiscord(service, test_guild_id=config.test_guild_id)
    async with client:
        runner = asyncio.create_task(client.start(token.get_secret_value()), name="discord")
        stopper = asyncio.create_task(stop.wait(), name="discord-stop")
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            stopper.cancel()
            runner.result()  # a login failure or crash surfaces here
            return
        log.info("Discord: shutting down")
        await client.close()
        await runner
