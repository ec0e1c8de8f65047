"""The fake Discord a benchmark runs its bot against: in the benchmark's own process, or in a
process of its own (bench/fake_discord_process.py), behind one interface."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from tests.adapters.discord.fake_discord import FakeDiscord, Guild, User

# The repository: the fake's process imports bench/ and tests/ from there.
REPO = Path(__file__).resolve().parent.parent


class Identified(Protocol):
    async def wait(self) -> Any: ...


class BenchFake(Protocol):
    @property
    def base_url(self) -> str: ...

    @property
    def identified(self) -> Identified: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def add_guild(self, guild_id: int, name: str) -> None: ...

    async def set_rate(self, rate: float) -> None: ...

    async def slash_ms(self, guild_id: int, user: User, *path: str, **options: Any) -> float:
        """Invoke a slash command as ``user``; the milliseconds until it was answered."""
        ...

    async def dm_counts(self, first: int, count: int) -> list[int]:
        """How many DMs each of the users ``first`` … ``first + count - 1`` received."""
        ...

    async def global_429s(self) -> int: ...


class LocalFake:
    def __init__(self) -> None:
        self.fake = FakeDiscord()
        self._guilds: dict[int, Guild] = {}

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    @property
    def identified(self) -> Identified:
        return self.fake.identified

    async def start(self) -> None:
        await self.fake.start()

    async def stop(self) -> None:
        await self.fake.stop()

    async def add_guild(self, guild_id: int, name: str) -> None:
        self._guilds[guild_id] = self.fake.add_guild(guild_id, name)

    async def set_rate(self, rate: float) -> None:
        self.fake.global_rate = rate

    async def slash_ms(self, guild_id: int, user: User, *path: str, **options: Any) -> float:
        start = time.perf_counter()
        await self.fake.slash(self._guilds[guild_id], user, *path, **options)
        return (time.perf_counter() - start) * 1000

    async def dm_counts(self, first: int, count: int) -> list[int]:
        return [len(self.fake.dms_to(first + n)) for n in range(count)]

    async def global_429s(self) -> int:
        return self.fake.global_429s


class _RemoteIdentified:
    def __init__(self, remote: RemoteFake) -> None:
        self._remote = remote

    async def wait(self) -> bool:
        # The event is in the other process: asked for until it is set.
        while not (await self._remote.get("/identified"))["identified"]:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return True


class RemoteFake:
    """The fake in a process of its own (its interpreter is not the bot's)."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._ports: dict[str, int] = {}
        self._http: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._ports['fake']}"

    @property
    def identified(self) -> Identified:
        return _RemoteIdentified(self)

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fake_discord_process",
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO,
        )
        assert self._process.stdout is not None
        self._ports = json.loads(await self._process.stdout.readline())
        self._http = aiohttp.ClientSession(f"http://127.0.0.1:{self._ports['control']}")

    async def stop(self) -> None:
        if self._http:
            await self._http.close()
        if self._process:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), 30)

    async def get(self, path: str) -> Any:
        assert self._http is not None
        async with self._http.get(path) as response:
            return await response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        assert self._http is not None
        async with self._http.post(path, json=body) as response:
            return await response.json()

    async def add_guild(self, guild_id: int, name: str) -> None:
        await self.post("/guild", {"id": guild_id, "name": name})

    async def set_rate(self, rate: float) -> None:
        await self.post("/rate", {"rate": rate})

    async def slash_ms(self, guild_id: int, user: User, *path: str, **options: Any) -> float:
        body = {
            "guild": guild_id,
            "user_id": user.id,
            "user_name": user.name,
            "path": list(path),
            "options": options,
        }
        return float((await self.post("/slash", body))["ms"])

    async def dm_counts(self, first: int, count: int) -> list[int]:
        return list((await self.post("/dms", {"first": first, "count": count}))["counts"])

    async def global_429s(self) -> int:
        return int((await self.get("/stats"))["global_429s"])
