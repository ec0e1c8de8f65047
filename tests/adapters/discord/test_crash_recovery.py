"""A real `claimdesk run` process killed with SIGKILL mid-delivery still delivers exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.adapters.discord.conftest import EDITORS, NEWSROOM, TOKEN
from tests.adapters.discord.fake_discord import FakeDiscord, Guild, User
from tests.conftest import REPO

REPORTER = User(301, "Rita Reporter")
EDITOR = User(302, "Eddie Editor", roles=[EDITORS])


@dataclass
class Setup:
    fake: FakeDiscord
    guild: Guild
    db: Path
    env: dict[str, str]


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    fake = FakeDiscord()
    await fake.start()
    guild = fake.add_guild(NEWSROOM, "Newsroom", roles={EDITORS: "Editors"})
    db = tmp_path / "crash.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{db}"\n[discord]\napi_base = "{fake.base_url}"\n'
        "[notifications]\nlease_seconds = 1.0\n"
        f'[workspaces."discord:{NEWSROOM}"]\nmoderator_roles = ["{EDITORS}"]\n',
        encoding="utf-8",
    )
    assert (
        await asyncio.to_thread(
            main, ["--db", str(db), "seed", "--workspace", f"discord:{NEWSROOM}"]
        )
        == 0
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "CLAIMDESK_"))
    }
    env.update({"DISCORD_TOKEN": TOKEN, "CLAIMDESK_CONFIG": str(config)})
    try:
        yield Setup(fake, guild, db, env)
    finally:
        await fake.stop()


async def start_bot(setup: Setup) -> asyncio.subprocess.Process:
    setup.fake.identified.clear()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=REPO,
        env=setup.env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    async with asyncio.timeout(30):
        while line := (await process.stderr.readline()).decode():
            if "Discord ready as" in line:
                break
    # Keep draining stderr so the child never blocks on a full pipe.
    asyncio.get_running_loop().create_task(process.stderr.read())
    return process


def delivery_states(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT state FROM deliveries ORDER BY id")]


def settled(setup: Setup, expected_dms: int) -> bool:
    return len(setup.fake.dms_to(REPORTER.id)) >= expected_dms and delivery_states(setup.db) == [
        "delivered"
    ]


async def settle(setup: Setup, expected_dms: int) -> None:
    async with asyncio.timeout(20):
        while not settled(setup, expected_dms):  # noqa: ASYNC110 - polls another process's file
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.5)  # longer than the lease: a second send would have happened by now


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await process.wait()


async def test_killed_between_change_and_delivery(setup: Setup) -> None:
    bot = await start_bot(setup)
    await setup.fake.slash(setup.guild, REPORTER, "subscribe", "claim", claim="4")
    setup.fake.hold["open_dm"] = asyncio.Event()
    done = await setup.fake.slash(
        setup.guild, EDITOR, "claim", "verify", claim="4", reason="Confirmed by historians"
    )
    assert done.final_message()["content"].startswith("**Eddie Editor** marked **#4**")
    await asyncio.wait_for(setup.fake.held.wait(), 10)  # the DM is on its way...
    await kill(bot)  # ...and the process dies
    assert delivery_states(setup.db) == ["pending"]
    assert setup.fake.dms_to(REPORTER.id) == []
    del setup.fake.hold["open_dm"]
    bot = await start_bot(setup)
    try:
        await settle(setup, 1)
        [dm] = setup.fake.dms_to(REPORTER.id)
        assert (
            "#4 ✅ unverified → verified by Eddie Editor: Confirmed by historians"
            in dm["embeds"][0]["description"]
        )
    finally:
        await kill(bot)


async def test_killed_after_discord_accepted_but_before_it_was_recorded(setup: Setup) -> None:
    bot = await start_bot(setup)
    await setup.fake.slash(setup.guild, REPORTER, "subscribe", "claim", claim="6")
    setup.fake.hold["message"] = asyncio.Event()
    await setup.fake.slash(
        setup.guild, EDITOR, "claim", "dispute", claim="6", reason="Figures contested"
    )
    await asyncio.wait_for(setup.fake.held.wait(), 10)
    assert (
        len(setup.fake.dms_to(REPORTER.id)) == 1
    )  # Discord has the message; the bot never heard back
    await kill(bot)
    assert delivery_states(setup.db) == ["pending"]
    del setup.fake.hold["message"]
    bot = await start_bot(setup)
    try:
        await settle(setup, 1)
        posts = [
            p
            for p in setup.fake.message_posts()
            if p.path == f"/channels/{REPORTER.id + 7}/messages"
        ]
        assert len(posts) == 2  # sent again after the restart...
        assert posts[0].body["nonce"] == posts[1].body["nonce"]  # ...with the same nonce...
        assert len(setup.fake.dms_to(REPORTER.id)) == 1  # ...so the member sees it once
    finally:
        await kill(bot)
