"""Socket Mode (the default): the app connects out to Slack and answers over the websocket."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr

from bot.adapters.slack.serve import SlackFrontEnd
from bot.config import SlackConfig
from bot.core.commands import CommandRunner
from bot.core.matching.matcher import Matcher
from bot.core.service import ClaimService
from bot.runtime import run_front_ends
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.conftest import BOT_TOKEN
from tests.adapters.slack.fake_slack import TEAM, FakeSlack, text_of
from tests.conftest import StepClock

APP_TOKEN = "xapp-1-fake-app-level-token"


async def test_socket_mode_command_round_trip(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    store = await SqliteStore.open(tmp_path / "socket.sqlite3")
    clock = StepClock()
    service = ClaimService(store, clock, matcher=Matcher.words_only(store))
    config = SlackConfig(
        bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN), api_base=fake.base_url
    )
    assert config.mode == "socket"
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_front_ends(service, store, clock, [SlackFrontEnd(CommandRunner(service), config)], stop)
    )
    try:
        await asyncio.wait_for(fake.connected.wait(), 10)
        ack = await fake.envelope(
            "slash_commands",
            {
                "team_id": TEAM,
                "channel_id": "C0DESK",
                "user_id": "U0RITA",
                "user_name": "rita",
                "command": "/claim",
                "text": "add The harbour bridge will reopen in May, the mayor says.",
                "response_url": f"{fake.base_url}/response/1",
                "trigger_id": "trig.1",
                "api_app_id": "A1",
            },
        )
        assert ack == {"envelope_id": ack["envelope_id"]}  # acknowledged at once, no payload
        await fake.wait_for(lambda: len(fake.responses) == 1)
        reply = fake.responses[0]
        assert reply["response_type"] == "in_channel"
        assert text_of(reply["blocks"]).startswith(
            "rita added claim *#1*: The harbour bridge will reopen"
        )
        opened = [c for c in fake.calls if c.method == "apps.connections.open"]
        assert opened  # Socket Mode asked Slack for a websocket URL with the app-level token
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await fake.stop()
        await store.close()
