"""One bot process of the fleet benchmark (bench/fleet.py): Claimdesk on PostgreSQL, one
Discord shard, its notification pacing scaled like the fake Discord's limit."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from pydantic import SecretStr

from bot.adapters.discord.serve import DiscordFrontEnd
from bot.bootstrap import open_claimdesk
from bot.config import Config, DiscordConfig, MatchingConfig, NotificationsConfig, StorageConfig
from bot.runtime import run_front_ends


async def main(settings: dict[str, Any]) -> None:
    config = Config(
        storage=StorageConfig(url=SecretStr(settings["database"])),
        matching=MatchingConfig(semantic=False),
        notifications=NotificationsConfig(lease_seconds=settings["lease"]),
        discord=DiscordConfig(
            token=SecretStr(settings["token"]),
            api_base=settings["api_base"],
            shard_count=settings["shards"],
            shard_ids=[settings["shard"]],
        ),
    )
    async with open_claimdesk(config) as app:
        front_end = DiscordFrontEnd(app.commands, config.discord)
        front_end.deliverer.rate_per_second *= settings["scale"]
        stop = asyncio.Event()
        await run_front_ends(
            app.service, app.store, app.clock, [front_end], stop, config.notifications
        )


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
