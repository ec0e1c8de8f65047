"""The real discord.py bot, logged in to the tests' fake Discord on 127.0.0.1, for timing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from pydantic import SecretStr

from bench.fakes import BenchFake
from bot.adapters.discord.serve import DiscordFrontEnd
from bot.config import DiscordConfig
from bot.core.commands import CommandRunner
from bot.core.ports import SystemClock
from bot.core.service import ClaimService
from bot.runtime import run_front_ends
from bot.store.sqlite import SqliteStore
from tests.adapters.discord.fake_discord import FakeDiscord

TOKEN = "MTE1.bench-token.NOTASECRET"


@asynccontextmanager
async def running_bot(
    service: ClaimService,
    store: SqliteStore,
    fake: FakeDiscord | BenchFake,
    *,
    adjust: Callable[[DiscordFrontEnd], None] | None = None,
) -> AsyncIterator[DiscordFrontEnd]:
    """Start the bot (and its notification dispatcher) against ``fake``; stop it on exit."""
    commands = CommandRunner(service)
    front_end = DiscordFrontEnd(
        commands, DiscordConfig(token=SecretStr(TOKEN), api_base=fake.base_url)
    )
    if adjust:
        adjust(front_end)
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_front_ends(
            service, store, SystemClock(), [front_end], stop, foreground=commands.foreground
        )
    )
    identified = asyncio.create_task(fake.identified.wait())
    await asyncio.wait({task, identified}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        identified.cancel()
        task.result()
    # Ready, not just connected: a client closed before discord.py's delayed READY would
    # log a stray error from that pending task.
    await asyncio.wait_for(front_end.client.wait_until_ready(), 30)
    try:
        yield front_end
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
