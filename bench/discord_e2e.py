"""/claim search and /claim show end to end: fake Discord -> gateway -> discord.py -> store -> REST."""

from __future__ import annotations

import logging
from pathlib import Path

from bench.build import GUILD
from bench.discord_bot import running_bot
from bench.model import semantic_model
from bench.stats import Latency, measure
from bot.core.matching.matcher import Matcher
from bot.core.ports import SystemClock
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore
from tests.adapters.discord.fake_discord import FakeDiscord, User


async def end_to_end(
    db: Path, common_word: str, rare_word: str, runs: int, *, model: Path | None
) -> dict[str, Latency]:
    """The bot matching as the run's other tables do: with ``model``'s folder, by meaning over
    the store's vectors; without, by words only."""
    # aiohttp logs every request of the fake at INFO: thousands of lines that say nothing here.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    fake = FakeDiscord()
    await fake.start()
    guild = fake.add_guild(GUILD, "Bench Newsroom")
    reader = User(301, "Rita Reporter")
    store = await SqliteStore.open(db)
    service = ClaimService(store, SystemClock(), matcher=Matcher(store, semantic_model(model)))
    results: dict[str, Latency] = {}
    try:
        async with running_bot(service, store, fake):
            # Each timing spans the INTERACTION_CREATE leaving the fake's gateway to the
            # bot's answer arriving at its REST routes: what Discord itself would wait for.
            results["/claim search (most common word)"] = await measure(
                lambda _: fake.slash(guild, reader, "claim", "search", query=common_word), runs
            )
            results["/claim search (rare word)"] = await measure(
                lambda _: fake.slash(guild, reader, "claim", "search", query=rare_word), runs
            )
            results["/claim show"] = await measure(
                lambda i: fake.slash(guild, reader, "claim", "show", claim=str(1 + abs(i) % 1000)),
                runs,
            )
    finally:
        await store.close()
        await fake.stop()
    return results
