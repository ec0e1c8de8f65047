"""`claimdesk run` with a Discord token: the real process logs in, syncs, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.conftest import REPO


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
    process = await _claimdesk_run({"DISCORD_TOKEN": TOKEN, "CLAIMDESK_CONFIG": str(config)})
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


async def _claimdesk_run(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`claimdesk run` in a process of its own, with this environment less chat tokens and
    Claimdesk settings, plus ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "CLAIMDESK_"))
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=REPO,
        env=clean | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("section", "env", "expected"),
    [
        ("discord", {"DISCORD_TOKEN": TOKEN}, "Error: Discord cannot be reached: Cannot connect"),
        (
            "slack",
            {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"},
            "Error: Slack cannot be reached: Cannot connect",
        ),
    ],
)
async def test_run_when_the_platform_cannot_be_reached_is_one_line_and_exit_1(
    tmp_path: Path, section: str, env: dict[str, str], expected: str
) -> None:
    # Was an 89-line ExceptionGroup traceback.
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "run.sqlite3"}"\n'
        f'[{section}]\napi_base = "http://127.0.0.1:{_closed_port()}"\n'
        "[matching]\nsemantic = false\n",
        encoding="utf-8",
    )
    process = await _claimdesk_run({**env, "CLAIMDESK_CONFIG": str(config)})
    out, err = await asyncio.wait_for(process.communicate(), 60)
    text = (out + err).decode()
    assert process.returncode == 1
    assert "Traceback" not in text
    assert [line for line in text.splitlines() if line.startswith("Error:")] == [
        line for line in text.splitlines() if expected in line
    ]
    assert expected in text
