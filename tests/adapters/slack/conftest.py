from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import seeds
from bot.adapters.slack.serve import EVENTS_PATH, SlackFrontEnd
from bot.config import SlackConfig
from bot.core.commands import CommandRunner
from bot.core.matching.matcher import Matcher
from bot.core.models import ModeratorSettings
from bot.core.service import ClaimService
from bot.runtime import run_front_ends
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, SlackSender, SlackUser
from tests.claimreview.fake_google import FakeFactCheckTools, fake_lookup
from tests.conftest import REPO, StepClock

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000-fake-slack-bot-token"
CHECKERS = "S0CHECKERS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SlackEnv:
    fake: FakeSlack
    slack: SlackSender
    service: ClaimService
    path: Path
    rita: SlackUser
    ed: SlackUser
    ada: SlackUser
    fay: SlackUser

    def snapshot(self) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path) as conn:
            return (
                conn.execute("SELECT * FROM claims ORDER BY id").fetchall()
                + conn.execute("SELECT * FROM sources ORDER BY id").fetchall()
            )


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[SlackEnv]:
    fake = FakeSlack()
    await fake.start()
    rita, ed = SlackUser("U0RITA", "Rita Reporter"), SlackUser("U0ED", "Eddie Editor")
    ada, fay = SlackUser("U0ADA", "Ada Admin", is_admin=True), SlackUser("U0FAY", "Fay Checker")
    for user in (rita, ed, ada, fay):
        fake.users[user.id] = user
    fake.usergroups[CHECKERS] = [fay.id]
    path = tmp_path / "slack.sqlite3"
    store = await SqliteStore.open(path)
    clock = StepClock()
    workspace = f"slack:{TEAM}"
    google = FakeFactCheckTools()
    await google.start()
    service = ClaimService(
        store,
        clock,
        configured_moderators={workspace: ModeratorSettings(user_ids=frozenset({ed.id}))},
        lookup=fake_lookup(store, clock, google),
        matcher=Matcher.words_only(store),
    )
    await seeds.import_seeds(service, workspace, seeds.find_seeds(REPO / "seeds"))
    port = free_port()
    config = SlackConfig(
        bot_token=SecretStr(BOT_TOKEN),
        signing_secret=SecretStr(SECRET),
        mode="http",
        http_host="127.0.0.1",
        http_port=port,
        api_base=fake.base_url,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_front_ends(service, store, clock, [SlackFrontEnd(CommandRunner(service), config)], stop)
    )
    sender = SlackSender(f"http://127.0.0.1:{port}{EVENTS_PATH}", SECRET, fake)
    async with asyncio.timeout(10):
        while True:  # until the HTTP endpoint answers
            try:
                await sender.post("")
                break
            except OSError:
                await asyncio.sleep(0.05)
    try:
        yield SlackEnv(fake, sender, service, path, rita, ed, ada, fay)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await fake.stop()
        await google.stop()
        await store.close()
