"""A sharded bot run as two processes on one PostgreSQL store: each process runs its shard,
receives only its servers' interactions, and answers each once."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr, ValidationError

from bot.adapters.discord.app import ShardedClaimdeskDiscord
from bot.adapters.discord.serve import DiscordFrontEnd
from bot.config import DiscordConfig, load_config
from bot.core.commands import CommandRunner
from bot.core.matching.matcher import Matcher
from bot.core.models import ClaimAdded
from bot.core.service import ClaimService
from bot.runtime import run_front_ends
from bot.store.postgres import PostgresStore
from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.fake_discord import FakeDiscord, User
from tests.conftest import StepClock, new_database

# Discord sends a server's events to shard (server id >> 22) % shard count.
ON_SHARD_0 = 111000000000000001
ON_SHARD_1 = 444000000000000004


def test_shards_must_be_shards_of_the_count() -> None:
    with pytest.raises(ValidationError, match=r"shard_ids \[2\] are not shards of 2"):
        DiscordConfig(shard_count=2, shard_ids=[0, 2])
    with pytest.raises(ValidationError, match="shard_ids needs shard_count"):
        DiscordConfig(shard_ids=[0])
    # Each process of a fleet sharing one config file says which shard it runs.
    fleet = {"CLAIMDESK_DISCORD_SHARD_COUNT": "2", "CLAIMDESK_DISCORD_SHARD_IDS": "1"}
    config = load_config(None, env=fleet)
    assert (config.discord.shard_count, config.discord.shard_ids) == (2, [1])


async def test_each_process_answers_the_servers_of_its_own_shard(postgres_server: str) -> None:
    database = await new_database(postgres_server)
    fake = FakeDiscord()
    await fake.start()
    first = fake.add_guild(ON_SHARD_0, "Morning Paper")
    second = fake.add_guild(ON_SHARD_1, "Evening Paper")
    stores = [await PostgresStore.open(database), await PostgresStore.open(database)]
    stop = asyncio.Event()
    running = []
    clients = []
    try:
        for shard, store in enumerate(stores):
            clock = StepClock()
            service = ClaimService(store, clock, matcher=Matcher.words_only(store))
            config = DiscordConfig(
                token=SecretStr(TOKEN), api_base=fake.base_url, shard_count=2, shard_ids=[shard]
            )
            front_end = DiscordFrontEnd(CommandRunner(service), config)
            clients.append(front_end.client)
            running.append(
                asyncio.create_task(run_front_ends(service, store, clock, [front_end], stop))
            )
        for _ in range(750):  # each shard is ready 2 s after its last server arrives
            if all(c.is_ready() for c in clients):
                break
            await asyncio.sleep(0.02)
        assert all(isinstance(c, ShardedClaimdeskDiscord) for c in clients)
        assert sorted(p["shard"] for p in fake.identify_payloads) == [[0, 2], [1, 2]]
        assert [g.id for g in clients[0].guilds] == [ON_SHARD_0]
        assert [g.id for g in clients[1].guilds] == [ON_SHARD_1]

        reporter = User(301, "Rita Reporter")
        for guild, text in (
            (first, "Ferry fares rise by a third."),
            (second, "Trams stop at nine."),
        ):
            added = await fake.slash(guild, reporter, "claim", "add", text=text)
            callbacks = [r for r in added.requests if r.path.endswith("/callback")]
            assert len(callbacks) == 1  # one process answered
            assert "added claim **#1**" in added.callback["data"]["content"]
        # Both processes wrote to the one store, each in its server's workspace.
        assert set(await stores[0].workspaces()) == {
            f"discord:{ON_SHARD_0}",
            f"discord:{ON_SHARD_1}",
        }
        shown = await fake.slash(second, reporter, "claim", "show", claim="1")
        assert "Trams stop at nine." in shown.callback["data"]["embeds"][0]["description"]
    finally:
        stop.set()
        await asyncio.gather(*running, return_exceptions=True)
        for store in stores:
            await store.close()
        await fake.stop()


async def test_a_claim_added_through_one_process_is_seen_by_the_other(database: str) -> None:
    stores = [await PostgresStore.open(database), await PostgresStore.open(database)]
    try:
        services = [
            ClaimService(store, StepClock(), matcher=Matcher.words_only(store)) for store in stores
        ]
        from bot.core.models import Actor
        from tests.conftest import WS

        rita = Actor(workspace=WS, user_id="rita", display_name="Rita")
        outcome = await services[0].add_claim(rita, "The harbour dredging starts in May.")
        assert isinstance(outcome, ClaimAdded)
        seen = await services[1].search(rita, "harbour dredging")
        assert [c.id for c in seen.items] == [1]
        second = await services[1].add_claim(rita, "The night buses are cut from June.")
        assert isinstance(second, ClaimAdded)
        assert second.claim.id == 2  # one numbering across processes
    finally:
        for store in stores:
            await store.close()


@pytest.fixture
async def database(postgres_server: str) -> str:
    return await new_database(postgres_server)
