"""A fake Slack on 127.0.0.1: the Web API methods Claimdesk calls, response_url endpoints,
and a client that sends correctly signed requests to the app, as Slack does."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

TEAM = "T0NEWS"


@dataclass
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class SlackUser:
    id: str
    name: str
    is_admin: bool = False
    team: str = TEAM


@dataclass
class FakeSlack:
    users: dict[str, SlackUser] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    post_failures: list[web.Response] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0
    _runner: web.AppRunner | None = None
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    connected: asyncio.Event = field(default_factory=asyncio.Event)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "connection_info": {"app_id": "A1"},
                "debug_info": {"host": "fake", "approximate_connection_time": 3600},
            }
        )
        self.connected.set()
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(message.data)
                self.acks[data["envelope_id"]] = data
                self.changed.set()
        return ws

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Deliver a request over Socket Mode; returns the app's acknowledgement."""
        envelope_id = f"env-{next(self._ts)}"
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "accepts_response_payload": True,
                "payload": payload,
            }
        )
        await self.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [c.args for c in self.calls if c.method == method]

    async def wait_for(self, condition: Any, seconds: float = 10.0) -> None:
        async with asyncio.timeout(seconds):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json":
            return dict(json.loads(raw or "{}"))
        args: dict[str, Any] = dict(parse_qsl(raw))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append({**await self._body(request), "_url": request.match_info["id"]})
        self.changed.set()
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._body(request)
        self.calls.append(Call(method, args))
        self.changed.set()
        if method == "apps.connections.open":
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "user": "claimdesk",
                    "user_id": "UBOT",
                    "team_id": TEAM,
                    "team": "Newsroom",
                    "bot_id": "BBOT",
                    "url": "https://newsroom.slack.com/",
                }
            )
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            if user is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response(
                {
                    "ok": True,
                    "user": {
                        "id": user.id,
                        "team_id": user.team,
                        "name": user.name.lower(),
                        "is_admin": user.is_admin,
                        "is_owner": False,
                        "profile": {"display_name": user.name, "real_name": user.name},
                    },
                }
            )
        if method == "users.list":
            return web.json_response(
                {
                    "ok": True,
                    "members": [
                        {
                            "id": user.id,
                            "team_id": user.team,
                            "name": user.name.split()[0].lower(),
                            "deleted": False,
                            "profile": {"display_name": user.name, "real_name": user.name},
                        }
                        for user in self.users.values()
                    ],
                    "response_metadata": {"next_cursor": ""},
                }
            )
        if method == "usergroups.list":
            return web.json_response(
                {
                    "ok": True,
                    "usergroups": [
                        {"id": gid, "handle": gid.lower(), "users": members}
                        for gid, members in self.usergroups.items()
                    ],
                }
            )
        if method == "chat.postMessage":
            if self.post_failures:
                return self.post_failures.pop(0)
            return web.json_response(
                {
                    "ok": True,
                    "channel": args.get("channel"),
                    "ts": f"{next(self._ts)}.0001",
                    "message": {"text": args.get("text")},
                }
            )
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": f"{next(self._ts)}.0002"})
        if method == "views.open":
            return web.json_response({"ok": True, "view": {**args.get("view", {}), "id": "V1"}})
        return web.json_response({"ok": False, "error": "unknown_method"})


def ratelimited(retry_after: int) -> web.Response:
    return web.json_response(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
    )


@dataclass
class SlackSender:
    """Sends what Slack would send to the app's HTTP endpoint, signed with the signing secret."""

    url: str
    secret: str
    fake: FakeSlack
    channel: str = "C0DESK"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def post(
        self, body: str, *, timestamp: int | None = None, signature: str | None = None
    ) -> tuple[int, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature
            or str(SignatureVerifier(self.secret).generate_signature(timestamp=ts, body=body)),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body.encode(), headers=headers) as response,
        ):
            return response.status, await response.text()

    def _response_url(self) -> str:
        return f"{self.fake.base_url}/response/{next(self._ids)}"

    async def command(
        self, user: SlackUser, command: str, text: str, *, wait: bool = True
    ) -> dict[str, Any]:
        response_url = self._response_url()
        form = {
            "token": "legacy",
            "team_id": user.team,
            "team_domain": "newsroom",
            "channel_id": self.channel,
            "channel_name": "desk",
            "user_id": user.id,
            "user_name": user.name.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": f"trig.{next(self._ids)}",
        }
        status, _ = await self.post(urlencode(form))
        assert status == 200, status
        if not wait:
            return {}
        return await self.response_to(response_url)

    async def response_to(self, response_url: str) -> dict[str, Any]:
        number = response_url.rsplit("/", 1)[1]
        await self.fake.wait_for(lambda: any(r["_url"] == number for r in self.fake.responses))
        return next(r for r in reversed(self.fake.responses) if r["_url"] == number)

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def press(
        self,
        user: SlackUser,
        action: dict[str, Any],
        message_blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        """Press a button (as found in a message's blocks); returns the response_url used."""
        response_url = self._response_url()
        payload = {
            "type": "block_actions",
            "team": {"id": user.team, "domain": "newsroom"},
            "user": {"id": user.id, "username": user.name.lower(), "team_id": user.team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trig.{next(self._ids)}",
            "container": {"type": "message", "channel_id": self.channel},
            "channel": {"id": self.channel, "name": "desk"},
            "response_url": response_url,
            "message": {"type": "message", "blocks": message_blocks or []},
            "actions": [
                {
                    "action_id": action["action_id"],
                    "block_id": "b",
                    "value": action["value"],
                    "type": "button",
                    "action_ts": "1.0",
                }
            ],
        }
        status, _ = await self.interact(payload)
        assert status == 200
        return response_url

    async def submit(self, user: SlackUser, view: dict[str, Any], reason: str) -> tuple[int, str]:
        payload = {
            "type": "view_submission",
            "team": {"id": user.team, "domain": "newsroom"},
            "user": {"id": user.id, "username": user.name.lower(), "team_id": user.team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trig.{next(self._ids)}",
            "view": {
                **view,
                "id": "V1",
                "state": {
                    "values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}
                },
            },
        }
        return await self.interact(payload)

    async def shortcut(self, user: SlackUser, callback_id: str, text: str) -> tuple[int, str]:
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "team": {"id": user.team, "domain": "newsroom"},
            "user": {"id": user.id, "username": user.name.lower(), "team_id": user.team},
            "channel": {"id": self.channel, "name": "desk"},
            "message": {"type": "message", "text": text, "ts": "9.1"},
            "message_ts": "9.1",
            "response_url": self._response_url(),
            "trigger_id": f"trig.{next(self._ids)}",
            "api_app_id": "A1",
            "token": "legacy",
        }
        return await self.interact(payload)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def text_of(blocks: list[dict[str, Any]]) -> str:
    parts = []
    for b in blocks:
        if b.get("type") == "section":
            parts.append(b["text"]["text"])
        elif b.get("type") == "context":
            parts.extend(e["text"] for e in b["elements"])
    return "\n".join(parts)
