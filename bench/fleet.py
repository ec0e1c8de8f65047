"""Several bot processes on one PostgreSQL: one status change followed by many subscribers,
delivered by two processes through the fake Discord, one of them killed (SIGKILL) halfway.

Each process is a real `python` process (bench/fleet_bot.py) running one Discord shard; the
fake Discord enforces the bot's global limit (50 requests/s, scaled as in bench/notifications.py)
for the whole fleet, and the processes share the allowed rate among those alive. Measured: the
delivery rate against the allowed rate, 429s, and lost or duplicated messages (must be zero).

    .venv/bin/python -m bench.fleet --subscribers 10000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.build import GUILD, WORKSPACE
from bot.adapters.discord.deliver import DiscordDeliverer
from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, ModeratorSettings
from bot.core.ports import SystemClock
from bot.core.service import ClaimService
from bot.store.postgres import PostgresStore
from tests.adapters.discord.fake_discord import FakeDiscord

DISCORD_GLOBAL_LIMIT = 50.0  # requests per second, per bot (not per process)
FIRST_SUBSCRIBER = 400_000_000_000_000_000
TOKEN = "MTE1.fleet-bench-token.SECRETSECRET"
REPO = Path(__file__).resolve().parent.parent


async def _subscribed(url: str, subscribers: int) -> tuple[ClaimService, PostgresStore, Actor]:
    store = await PostgresStore.open(url)
    service = ClaimService(
        store,
        SystemClock(),
        configured_moderators={WORKSPACE: ModeratorSettings(user_ids=frozenset({"302"}))},
        matcher=Matcher.words_only(store),
    )
    editor = Actor(workspace=WORKSPACE, user_id="302", display_name="Eddie Editor")
    await service.add_claim(editor, "The port handled a record 9 million containers last year.")
    for n in range(subscribers):
        member = Actor(
            workspace=WORKSPACE, user_id=str(FIRST_SUBSCRIBER + n), display_name=f"Member {n}"
        )
        await service.subscribe(member, "claim", "1")
    return service, store, editor


async def fleet(url: str, subscribers: int, scale: float, processes: int) -> dict[str, Any]:
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    service, store, editor = await _subscribed(url, subscribers)
    fake = FakeDiscord()
    await fake.start()
    fake.add_guild(GUILD, "Bench Newsroom")
    fake.global_rate = DISCORD_GLOBAL_LIMIT * scale
    allowed = DiscordDeliverer.rate_per_second * scale
    bots: list[asyncio.subprocess.Process] = []
    try:
        for shard in range(processes):
            settings = {
                "database": url,
                "token": TOKEN,
                "api_base": fake.base_url,
                "shards": processes,
                "shard": shard,
                "scale": scale,
                "lease": 10.0,
            }
            bots.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bench.fleet_bot", json.dumps(settings), cwd=REPO
                )
            )
        for _ in range(600):
            if len(fake.identify_payloads) >= processes:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(3)  # each shard is ready 2 s after its servers arrive

        def delivered() -> int:
            return sum(1 for n in range(subscribers) if fake.dms_to(FIRST_SUBSCRIBER + n))

        start = time.perf_counter()
        await service.change_status(editor, 1, "verified", "Port authority annual report")
        killed_at = None
        deadline = start + subscribers / allowed * 3 + 60
        while delivered() < subscribers and time.perf_counter() < deadline:
            if killed_at is None and delivered() >= subscribers // 2:
                os.kill(bots[0].pid, signal.SIGKILL)  # mid-delivery, its leases held
                killed_at = time.perf_counter() - start
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - start
        await asyncio.sleep(2.0)  # anything sent twice would have arrived by now
    finally:
        for bot in bots:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
        for bot in bots:
            await bot.wait()
        await fake.stop()
        await store.close()
    counts = [len(fake.dms_to(FIRST_SUBSCRIBER + n)) for n in range(subscribers)]
    got = sum(1 for c in counts if c)
    return {
        "subscribers": subscribers,
        "processes": processes,
        "killed_one_after_s": round(killed_at, 1) if killed_at is not None else None,
        "delivered": got,
        "lost": subscribers - got,
        "duplicated": sum(c - 1 for c in counts if c > 1),
        "seconds": round(seconds, 1),
        "rate_per_second": round(got / seconds, 1),
        "allowed_per_second": allowed,
        "share_of_allowed": round(got / seconds / allowed, 3),
        "platform_limit_requests": fake.global_rate,
        "platform_429s": fake.global_429s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=10.0, help="speed-up of every rate")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--postgres", help="an empty database (default: a throwaway server)")
    args = parser.parse_args()
    if args.postgres:
        report = asyncio.run(fleet(args.postgres, args.subscribers, args.scale, args.processes))
    else:
        from pgserver.postgres_server import get_server

        with tempfile.TemporaryDirectory() as folder:
            server = get_server(folder, cleanup_mode="stop")
            try:
                url = server.get_uri()
                report = asyncio.run(fleet(url, args.subscribers, args.scale, args.processes))
            finally:
                server.cleanup()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
