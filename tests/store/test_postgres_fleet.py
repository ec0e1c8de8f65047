"""Several Claimdesk processes on one PostgreSQL: notifications and the embedding back-fill are
shared among them, each done once, and a process killed mid-way leaves nothing lost or doubled.
Each "process" is a store of its own (its own connection pool and caches); the killed one is a
real process, stopped with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pytest

from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import Actor, ClaimAdded, ModeratorSettings
from bot.core.notifications.dispatcher import Dispatcher
from bot.core.notifications.models import Notification
from bot.core.ports import ImportedClaim, SystemClock
from bot.core.service import ClaimService
from bot.store.postgres import PostgresStore
from tests.conftest import REPO, new_database
from tests.core.test_bulk_import import ARCHIVIST, T0

WS = "discord:42"
FOLLOWERS = 300
# A process holding deliveries when it dies holds them this long (the dispatcher's lease).
LEASE = timedelta(seconds=2)


@dataclass
class Platform:
    """The chat platform as the senders see it: a message with a nonce already seen is dropped
    (Discord's enforce_nonce), so only what people would see is counted."""

    platform: str = "discord"
    rate_per_second: float = 10_000.0
    seen: Counter[str] = field(default_factory=Counter)
    by_sender: Counter[str] = field(default_factory=Counter)
    everyone_heard: asyncio.Event = field(default_factory=asyncio.Event)

    def sender(self, name: str) -> Sender:
        return Sender(self, name)


@dataclass
class Sender:
    platform_of: Platform
    name: str
    platform: str = "discord"
    rate_per_second: float = 10_000.0

    async def deliver(self, notification: Notification) -> None:
        await asyncio.sleep(0.001)  # a send takes a moment: the processes interleave
        self.platform_of.seen[notification.key] += 1
        self.platform_of.by_sender[self.name] += 1
        if len(self.platform_of.seen) == FOLLOWERS:
            self.platform_of.everyone_heard.set()

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        raise AssertionError("every follower is reachable here")


@pytest.fixture
async def database(postgres_server: str) -> str:
    return await new_database(postgres_server)


async def _followed_change(store: PostgresStore) -> None:
    """A claim followed by FOLLOWERS people by DM, whose status then changes."""
    service = ClaimService(
        store,
        SystemClock(),
        configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"ed"}))},
        matcher=Matcher.words_only(store),
    )
    author = Actor(workspace=WS, user_id="rita", display_name="Rita")
    outcome = await service.add_claim(author, "The ferry timetable changes on Monday.")
    assert isinstance(outcome, ClaimAdded)
    for n in range(FOLLOWERS):
        reader = Actor(workspace=WS, user_id=f"u{n}", display_name=f"U{n}")
        await service.subscribe(reader, "claim", "1")
    editor = Actor(workspace=WS, user_id="ed", display_name="Ed", role_ids=frozenset({"ed"}))
    await service.change_status(editor, 1, "verified", "The operator confirmed it")


_VICTIM = """
import asyncio, os, signal, sys
from datetime import datetime, timedelta, UTC
from bot.store.postgres import PostgresStore

async def main():
    store = await PostgresStore.open(sys.argv[1])
    now = datetime.now(UTC)
    due = await store.claim_due(["discord"], now=now, lease_until=now + timedelta(seconds=2),
                                limit=100)
    print(len(due), flush=True)
    await asyncio.sleep(60)  # killed here, its deliveries leased and never sent

asyncio.run(main())
"""


async def test_two_processes_deliver_every_notification_once_though_a_third_is_killed(
    database: str,
) -> None:
    first, second = await PostgresStore.open(database), await PostgresStore.open(database)
    try:
        await _followed_change(first)
        victim = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _VICTIM, database, cwd=REPO, stdout=subprocess.PIPE
        )
        assert victim.stdout is not None
        taken = await victim.stdout.readline()
        assert taken.strip() == b"100"
        os.kill(victim.pid, signal.SIGKILL)
        await victim.wait()

        platform = Platform()
        dispatchers = [
            Dispatcher(store, [platform.sender(name)], SystemClock(), lease=LEASE, batch=50)
            for store, name in ((first, "first"), (second, "second"))
        ]
        stop = asyncio.Event()
        running = [asyncio.create_task(d.run(stop)) for d in dispatchers]
        async with asyncio.timeout(30):
            await platform.everyone_heard.wait()
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
        stop.set()
        await asyncio.gather(*running)
    finally:
        await first.close()
        await second.close()

    assert len(platform.seen) == FOLLOWERS
    assert set(platform.seen.values()) == {1}  # each follower heard once
    assert sum(platform.by_sender.values()) == FOLLOWERS  # and nothing was even sent twice
    assert platform.by_sender["first"] > 0
    assert platform.by_sender["second"] > 0
    counts = await first_counts(database)
    assert counts == {"delivered": FOLLOWERS}


async def first_counts(url: str) -> dict[str, int]:
    store = await PostgresStore.open(url)
    try:
        return await store.delivery_counts()
    finally:
        await store.close()


@dataclass
class CountingEmbedder:
    """The real model, counting what each process embeds."""

    model: Embedder
    texts: list[str] = field(default_factory=list)

    @property
    def model_name(self) -> str:
        return self.model.model_name

    def embed(self, texts: list[str]) -> object:
        self.texts.extend(texts)
        return self.model.embed(texts)


def _archive(template: str, count: int = 600) -> list[ImportedClaim]:
    return [
        ImportedClaim(
            text=template.format(n),
            claimant="",
            claimed_on=None,
            tags=(),
            created_by=ARCHIVIST,
            created_at=T0,
        )
        for n in range(count)
    ]


async def test_two_processes_share_the_embedding_backfill_without_doing_it_twice(
    database: str, embedder: Embedder
) -> None:
    first, second = await PostgresStore.open(database), await PostgresStore.open(database)
    try:
        await first.bulk_import(
            WS, _archive("Harbour report number {} on the ferry timetable."), at=T0
        )
        counting = [CountingEmbedder(embedder), CountingEmbedder(embedder)]
        workers = [
            EmbeddingWorker(store, SemanticModel.ready_with(model), batch=64)  # type: ignore[arg-type]
            for store, model in zip((first, second), counting, strict=True)
        ]
        await asyncio.gather(*(w.drain() for w in workers))
        assert (await first.embedding_counts()).queued == 0
        assert (await first.embedding_counts()).embedded == 600
        first_texts, second_texts = (set(c.texts) for c in counting)
        assert first_texts  # both took part
        assert second_texts
        assert not first_texts & second_texts  # and none was embedded twice
        assert len(first_texts | second_texts) == 600
    finally:
        await first.close()
        await second.close()


async def test_a_claim_embedded_again_is_found_by_its_new_meaning_in_a_process_holding_its_codes(
    database: str,
) -> None:
    first, second = await PostgresStore.open(database), await PostgresStore.open(database)
    try:
        # More claims than a scan's candidates (vectors.RERANK).
        await first.bulk_import(WS, _archive("Harbour report number {}."), at=T0)
        jobs = await first.embedding_jobs(600)
        vectors = np.random.default_rng(7).standard_normal((600, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        query = vectors[0].copy()
        vectors[0] = -query  # the first claim's old code is as far from the query as can be
        await first.save_embeddings(list(zip(jobs, vectors.tolist(), strict=True)))
        before = await second.nearest(WS, query.tolist(), limit=1)  # second loads the codes
        assert before[0].claim_id != 1

        await first.save_embeddings([(jobs[0], query.tolist())])  # claim 1 embedded again

        after = await second.nearest(WS, query.tolist(), limit=1)
        assert after[0].claim_id == 1
        assert after[0].similarity == pytest.approx(1.0, abs=0.01)
    finally:
        await first.close()
        await second.close()


async def test_processes_share_the_rate_and_take_over_a_silent_ones_share(database: str) -> None:
    store = await PostgresStore.open(database)
    alive = timedelta(seconds=1)
    try:
        assert await store.fleet_size("first", alive_for=alive) == 1
        assert await store.fleet_size("second", alive_for=alive) == 2
        assert await store.fleet_size("first", alive_for=alive) == 2
        await asyncio.sleep(1.2)  # "second" has not said it is delivering since
        assert await store.fleet_size("first", alive_for=alive) == 1
    finally:
        await store.close()
