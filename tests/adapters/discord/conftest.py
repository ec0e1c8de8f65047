from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import seeds
from bot.adapters.discord.app import ClaimdeskDiscord
from bot.adapters.discord.serve import DiscordFrontEnd
from bot.config import DiscordConfig
from bot.core.commands import CommandRunner
from bot.core.matching.matcher import Matcher
from bot.core.service import ClaimService
from bot.runtime import run_front_ends
from bot.store.sqlite import SqliteStore
from tests.adapters.discord.fake_discord import ADMIN, MANAGE_GUILD, FakeDiscord, Guild, User
from tests.claimreview.fake_google import FakeFactCheckTools, fake_lookup
from tests.conftest import REPO, StepClock

NEWSROOM = 111000000000000001
OTHER_PAPER = 222000000000000002
EDITORS = 501000000000000001
NOTICES = 555000000000000001
DESK = 556000000000000001
TOKEN = "MTE1.fake-discord-token.SECRETSECRET"


@dataclass
class Running:
    front_end: DiscordFrontEnd
    stop: asyncio.Event
    task: asyncio.Task[None]


@dataclass
class DiscordEnv:
    fake: FakeDiscord
    running: list[Running]
    service: ClaimService
    store: SqliteStore
    path: Path
    newsroom: Guild
    other: Guild
    reporter: User
    editor: User
    manager: User
    start_client: Callable[..., Awaitable[ClaimdeskDiscord]]

    @property
    def client(self) -> ClaimdeskDiscord:
        return self.running[-1].front_end.client

    async def stop(self) -> None:
        current = self.running[-1]
        current.stop.set()
        await asyncio.wait_for(current.task, 15)

    async def restart(self, defer_after: float = 2.5) -> ClaimdeskDiscord:
        await self.stop()
        return await self.start_client(defer_after)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[DiscordEnv]:
    fake = FakeDiscord()
    await fake.start()
    newsroom = fake.add_guild(
        NEWSROOM,
        "Newsroom",
        roles={EDITORS: "Editors"},
        channels={NOTICES: "claimdesk-notices", DESK: "desk"},
    )
    other = fake.add_guild(OTHER_PAPER, "Other Paper")
    path = tmp_path / "discord.sqlite3"
    store = await SqliteStore.open(path)
    clock = StepClock()
    google = FakeFactCheckTools()
    await google.start()
    service = ClaimService(
        store, clock, lookup=fake_lookup(store, clock, google), matcher=Matcher.words_only(store)
    )
    workspace = f"discord:{NEWSROOM}"
    await seeds.import_seeds(service, workspace, seeds.find_seeds(REPO / "seeds"))
    await service.set_moderator(seeds.seed_actor(workspace), "role", str(EDITORS), present=True)
    running: list[Running] = []

    async def start_client(defer_after: float = 2.5) -> ClaimdeskDiscord:
        fake.identified.clear()
        front_end = DiscordFrontEnd(
            CommandRunner(service),
            DiscordConfig(token=SecretStr(TOKEN), api_base=fake.base_url),
            defer_after=defer_after,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(run_front_ends(service, store, clock, [front_end], stop))
        running.append(Running(front_end, stop, task))
        identified = asyncio.create_task(fake.identified.wait())
        await asyncio.wait({task, identified}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            identified.cancel()
            task.result()  # the front end failed to start: raise its error here
        assert identified.done(), "the client never identified on the fake gateway"
        client = front_end.client
        for _ in range(200):
            if all(client.get_guild(g) for g in fake.guilds):
                break
            await asyncio.sleep(0.01)
        return client

    await start_client()
    try:
        yield DiscordEnv(
            fake=fake,
            running=running,
            service=service,
            store=store,
            path=path,
            newsroom=newsroom,
            other=other,
            reporter=User(301, "Rita Reporter"),
            editor=User(302, "Eddie Editor", roles=[EDITORS]),
            manager=User(303, "Mona Manager", permissions=MANAGE_GUILD | 0x80000000),
            start_client=start_client,
        )
    finally:
        for r in running:
            r.stop.set()
            await asyncio.wait_for(r.task, 15)
        await fake.stop()
        await google.stop()
        await store.close()


__all__ = ["ADMIN", "EDITORS", "NEWSROOM", "OTHER_PAPER", "TOKEN", "DiscordEnv"]
