"""One status change followed by many subscribers, delivered through the fake Discord.

The fake enforces Discord's global limit (50 requests/s, scaled by ``scale`` so a run takes a
minute, not ten) and answers 429s beyond it; the bot paces itself at its own rate, scaled
alike. Measured: time to enqueue, delivery rate against the allowed rate, 429s received,
the latency of commands answered meanwhile against the same commands asked just before the
change, with nothing queued (the fan-out must take neither the writer nor the CPU from
them), and lost or duplicated messages (must be zero). The fake runs in this process, or
with ``separate`` in one of its own (bench/fakes.py). At ×10 it serves some 300 requests a
second: in this process it takes the interpreter from the bot, in its own a core of the two
(measured: p99 meanwhile 32–35 ms here, 61–66 ms there; docs/performance.md). Either way a
2-core machine measures the fake as much as the bot at ×10; at the real rate (``scale`` 1) it
does not.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bench.build import GUILD, WORKSPACE, remove_store
from bench.discord_bot import running_bot
from bench.fakes import BenchFake, LocalFake, RemoteFake
from bench.model import semantic_model
from bench.stats import Latency, latency
from bot import collector
from bot.adapters.discord.deliver import DiscordDeliverer
from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, ModeratorSettings
from bot.core.ports import SystemClock
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore
from tests.adapters.discord.fake_discord import User

DISCORD_GLOBAL_LIMIT = 50.0  # requests per second, per bot
FIRST_SUBSCRIBER = 400_000_000_000_000_000


WARM_UP = 5  # searches asked before any is timed


@dataclass(frozen=True)
class NotificationReport:
    subscribers: int
    enqueue_ms: float
    delivered: int
    lost: int
    duplicated: int
    seconds: float
    rate_per_second: float
    allowed_per_second: float
    platform_limit_requests: float
    platform_429s: int
    commands: Latency
    idle_commands: Latency

    def as_dict(self) -> dict[str, object]:
        return {
            **self.__dict__,
            "commands": self.commands.as_dict(),
            "idle_commands": self.idle_commands.as_dict(),
        }


async def fan_out(
    db: Path,
    subscribers: int,
    scale: float,
    *,
    model: Path | None,
    idle_runs: int = 100,
    separate: bool = False,
) -> NotificationReport:
    """``separate``: the fake Discord runs in a process of its own (as Discord does not share
    the bot's interpreter); else in this one."""
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    remove_store(db)
    store = await SqliteStore.open(db)
    service = ClaimService(
        store,
        SystemClock(),
        configured_moderators={WORKSPACE: ModeratorSettings(user_ids=frozenset({"302"}))},
        matcher=Matcher(store, semantic_model(model)),
    )
    editor = Actor(workspace=WORKSPACE, user_id="302", display_name="Eddie Editor")
    added = await service.add_claim(
        editor, "The port handled a record 9 million containers last year."
    )
    claim_id = added.claim.id  # type: ignore[union-attr]
    for n in range(subscribers):
        member = Actor(
            workspace=WORKSPACE, user_id=str(FIRST_SUBSCRIBER + n), display_name=f"Member {n}"
        )
        await service.subscribe(member, "claim", str(claim_id))

    fake: BenchFake = RemoteFake() if separate else LocalFake()
    await fake.start()
    await fake.add_guild(GUILD, "Bench Newsroom")
    platform_rate = DISCORD_GLOBAL_LIMIT * scale
    await fake.set_rate(platform_rate)
    allowed = DiscordDeliverer.rate_per_second * scale

    def pace(front_end: object) -> None:
        front_end.deliverer.rate_per_second = allowed  # type: ignore[attr-defined]

    reader = User(301, "Rita Reporter")
    command_ms: list[float] = []
    idle_ms: list[float] = []

    async def search(into: list[float]) -> None:
        # Asked as a member would, a tenth of a second apart.
        into.append(await fake.slash_ms(GUILD, reader, "claim", "search", query="port containers"))
        await asyncio.sleep(0.1)

    try:
        async with running_bot(service, store, fake, adjust=pace):
            collector.freeze_what_start_up_built()  # as the bot does once its parts are built
            for _ in range(WARM_UP):  # the first searches load the model's session and caches
                await search([])
            for _ in range(idle_runs):
                await search(idle_ms)
            start = time.perf_counter()
            await service.change_status(
                editor, claim_id, "verified", "Port authority annual report"
            )
            enqueue_ms = (time.perf_counter() - start) * 1000

            async def delivered() -> int:
                return sum(1 for c in await fake.dm_counts(FIRST_SUBSCRIBER, subscribers) if c)

            deadline = start + subscribers / allowed * 3 + 30
            while time.perf_counter() < deadline:
                for _ in range(10):
                    await search(command_ms)  # answered at once, however long the queue
                if await delivered() >= subscribers:
                    break
            seconds = time.perf_counter() - start
            await asyncio.sleep(1.0)  # anything sent twice would have arrived by now
        counts = await fake.dm_counts(FIRST_SUBSCRIBER, subscribers)
        platform_429s = await fake.global_429s()
    finally:
        await fake.stop()
        await store.close()
    got = sum(1 for c in counts if c)
    return NotificationReport(
        subscribers=subscribers,
        enqueue_ms=round(enqueue_ms, 2),
        delivered=got,
        lost=subscribers - got,
        duplicated=sum(c - 1 for c in counts if c > 1),
        seconds=round(seconds, 2),
        rate_per_second=round(got / seconds, 1),
        allowed_per_second=allowed,
        platform_limit_requests=platform_rate,
        platform_429s=platform_429s,
        commands=latency(command_ms or [0.0]),
        idle_commands=latency(idle_ms or [0.0]),
    )
