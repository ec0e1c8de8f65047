"""`claimdesk run` with a Discord token: the real process logs in, syncs, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.discord.conftest import TOKEN
from tests.discord.fake_discord import FakeDiscord


async def test_run_starts_discord_syncs_to_test_guild_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    guild = fake.add_guild(4242, "Test guild")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "run.sqlite3"}"\n'
        f'[discord]\ntest_guild_id = {guild.id}\napi_base = "{fake.base_url}"\n',
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "CLAIMDESK_"))
    }
    env.update({"DISCORD_TOKEN": TOKEN, "CLAIMDESK_CONFIG": str(config)})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[str] = []

    async def until_ready() -> None:
        assert process.stderr is not None
        while line := (await process.stderr.readline()).decode():
            seen.append(line)
            if "Discord ready as" in line:
                return

    try:
        await asyncio.wait_for(until_ready(), 30)
        assert fake.identify_payloads[0]["token"] == TOKEN
        assert {c["name"] for c in fake.synced[str(guild.id)]} == {
            "claim",
            "claimdesk",
            "Check claims",
            "subscribe",
            "unsubscribe",
            "subscriptions",
        }
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
        await fake.stop()
    logs = "".join(seen) + stderr.decode()
    assert process.returncode == 0, logs
    assert "synced 6 commands to test guild 4242" in logs
    assert "Discord ready as claimdesk in 1 server" in logs
    assert "Claimdesk stopped cleanly" in logs
    assert TOKEN not in logs + stdout.decode()
