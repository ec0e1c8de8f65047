from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import seeds
from bot.adapters.discord.app import ClaimdeskDiscord, point_at
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore
from tests.conftest import REPO, StepClock
from tests.discord.fake_discord import ADMIN, MANAGE_GUILD, FakeDiscord, Guild, User

NEWSROOM = 111000000000000001
OTHER_PAPER = 222000000000000002
EDITORS = 501000000000000001
TOKEN = "MTE1.fake-discord-token.SECRETSECRET"


@dataclass
class DiscordEnv:
    fake: FakeDiscord
    client: ClaimdeskDiscord
    service: ClaimService
    store: SqliteStore
    path: Path
    newsroom: Guild
    other: Guild
    reporter: User
    editor: User
    manager: User
    start_client: Callable[..., Awaitable[ClaimdeskDiscord]]


async def _start(
    fake: FakeDiscord, service: ClaimService, *, defer_after: float
) -> tuple[ClaimdeskDiscord, asyncio.Task[None]]:
    fake.identified.clear()
    client = ClaimdeskDiscord(service, defer_after=defer_after)
    task = asyncio.create_task(client.start(TOKEN))
    identified = asyncio.create_task(fake.identified.wait())
    await asyncio.wait({task, identified}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        identified.cancel()
        task.result()  # the client failed to start: raise its error here
    assert identified.done(), "the client never identified on the fake gateway"
    for _ in range(200):
        if all(client.get_guild(g) for g in fake.guilds):
            break
        await asyncio.sleep(0.01)
    return client, task


async def _stop(client: ClaimdeskDiscord, task: asyncio.Task[None]) -> None:
    await client.close()
    await asyncio.wait_for(task, 10)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[DiscordEnv]:
    fake = FakeDiscord()
    await fake.start()
    newsroom = fake.add_guild(NEWSROOM, "Newsroom", roles={EDITORS: "Editors"})
    other = fake.add_guild(OTHER_PAPER, "Other Paper")
    point_at(fake.base_url)
    path = tmp_path / "discord.sqlite3"
    store = await SqliteStore.open(path)
    service = ClaimService(store, StepClock())
    workspace = f"discord:{NEWSROOM}"
    await seeds.import_seeds(service, workspace, seeds.find_seeds(REPO / "seeds"))
    await service.set_moderator(seeds.seed_actor(workspace), "role", str(EDITORS), present=True)
    running: list[tuple[ClaimdeskDiscord, asyncio.Task[None]]] = []

    async def start_client(defer_after: float = 2.5) -> ClaimdeskDiscord:
        client, task = await _start(fake, service, defer_after=defer_after)
        running.append((client, task))
        return client

    client = await start_client()
    try:
        yield DiscordEnv(
            fake=fake,
            client=client,
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
        for c, t in running:
            if not c.is_closed():
                await _stop(c, t)
        await fake.stop()
        await store.close()


__all__ = ["ADMIN", "EDITORS", "NEWSROOM", "OTHER_PAPER", "TOKEN", "DiscordEnv"]
