"""An outbox desk for the tests of notifications and of the desk's queue: a manual clock, a
recording deliverer and a dispatcher, on either store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, ClaimAdded, ModeratorSettings
from bot.core.notifications.dispatcher import DeliveryFailed, Dispatcher
from bot.core.notifications.models import Notification
from bot.core.ports import Store
from bot.core.service import ClaimService
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.conftest import read_rows

WS = "console:desk"


class ManualClock:
    def __init__(self) -> None:
        self.now_value = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)

    def now(self) -> datetime:
        return self.now_value

    def advance(self, **kwargs: float) -> None:
        self.now_value += timedelta(**kwargs)


@dataclass
class Recorder:
    platform: str = "console"
    rate_per_second: float = 1000.0
    sent: list[Notification] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)
    told: list[tuple[str, str, str]] = field(default_factory=list)

    async def deliver(self, notification: Notification) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(notification)

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        self.told.append((user_id, reason, channel_id))


@dataclass
class Env:
    service: ClaimService
    store: Store
    clock: ManualClock
    recorder: Recorder
    dispatcher: Dispatcher
    path: Path | None
    url: str | None
    rita: Actor
    sam: Actor
    ed: Actor

    async def deliveries(self) -> list[tuple[Any, ...]]:
        return await read_rows(
            self.path,
            self.url,
            "SELECT recipient, state, attempts, last_error FROM deliveries ORDER BY id",
        )


@pytest.fixture
async def env(tmp_path: Path, store_url: str | None) -> AsyncIterator[Env]:
    path: Path | None = None
    store: Store
    if store_url:
        store = await PostgresStore.open(store_url)
    else:
        path = tmp_path / "n.sqlite3"
        store = await SqliteStore.open(path)
    clock = ManualClock()
    service = ClaimService(
        store,
        clock,
        configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"ed"}))},
        matcher=Matcher.words_only(store),
    )
    recorder = Recorder()
    dispatcher = Dispatcher(store, [recorder], clock, backoff_for=lambda attempts: 10.0 * attempts)

    def actor(uid: str, roles: frozenset[str] = frozenset()) -> Actor:
        return Actor(workspace=WS, user_id=uid, display_name=uid.title(), role_ids=roles)

    env = Env(
        service,
        store,
        clock,
        recorder,
        dispatcher,
        path,
        store_url,
        actor("rita"),
        actor("sam"),
        actor("ed", frozenset({"ed"})),
    )
    outcome = await service.add_claim(
        env.rita, "The mayor said the bridge will reopen in May.", tags="transport"
    )
    assert isinstance(outcome, ClaimAdded)
    try:
        yield env
    finally:
        await store.close()
