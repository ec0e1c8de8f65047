"""The tests' fake Discord in a process of its own, driven over a small HTTP control API.

At Discord's limits ×10 the fake serves some 300 requests a second; inside the bot's process it
takes the interpreter from the bot, so a fan-out measured there measures the fake as much as the
bot (docs/performance.md). Here it has its own interpreter, as Discord is in production.

    python -m bench.fake_discord_process      # prints {"fake": port, "control": port}, serves

Control API (127.0.0.1): POST /guild {"id", "name"}; POST /rate {"rate"}; POST /slash
{"guild", "user_id", "user_name", "path", "options"} → {"ms"} (timed here: from sending the
interaction to its answer, as the in-process fake times it); GET /identified; POST /dms
{"first", "count"} → {"counts"}; GET /stats → {"global_429s"}.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from typing import Any

from aiohttp import web

from tests.adapters.discord.fake_discord import FakeDiscord, Guild, User


class Control:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.guilds: dict[int, Guild] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/guild", self.guild)
        app.router.add_post("/rate", self.rate)
        app.router.add_post("/slash", self.slash)
        app.router.add_get("/identified", self.identified)
        app.router.add_post("/dms", self.dms)
        app.router.add_get("/stats", self.stats)

    async def guild(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.guilds[int(body["id"])] = self.fake.add_guild(int(body["id"]), str(body["name"]))
        return web.json_response({})

    async def rate(self, request: web.Request) -> web.Response:
        self.fake.global_rate = float((await request.json())["rate"])
        return web.json_response({})

    async def slash(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = await request.json()
        user = User(int(body["user_id"]), str(body["user_name"]))
        start = time.perf_counter()
        await self.fake.slash(
            self.guilds[int(body["guild"])], user, *body["path"], **body.get("options", {})
        )
        return web.json_response({"ms": (time.perf_counter() - start) * 1000})

    async def identified(self, request: web.Request) -> web.Response:
        return web.json_response({"identified": self.fake.identified.is_set()})

    async def dms(self, request: web.Request) -> web.Response:
        body = await request.json()
        first, count = int(body["first"]), int(body["count"])
        counts = [len(self.fake.dms_to(first + n)) for n in range(count)]
        return web.json_response({"counts": counts})

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response({"global_429s": self.fake.global_429s})


async def serve() -> None:
    fake = FakeDiscord()
    await fake.start()
    app = web.Application()
    Control(fake).routes(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"fake": fake.port, "control": control_port}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await fake.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(serve()))
