"""A fake Discord on 127.0.0.1: the REST routes and the gateway websocket that the real
discord.py client uses, recording every request the bot makes.

It speaks the real wire formats (gateway opcodes, zlib-stream compression, interaction
callbacks, webhook follow-ups), so the bot's whole discord.py code path runs offline.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID = 900000000000000001
APP_ID = 900000000000000002
EPOCH = "2026-11-02T09:00:00+00:00"
ALL_PERMISSIONS = str((1 << 50) - 1)
MEMBER_PERMISSIONS = str(
    0x400 | 0x800 | 0x4000 | 0x80000000
)  # view, send, embed links, use app commands
ADMIN = 0x8
MANAGE_GUILD = 0x20
MANAGE_CHANNELS = 0x10


def _json(payload: Any, status: int = 200) -> web.Response:
    # Exactly what Discord sends: discord.py compares the content type literally (no charset).
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json"},
    )


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class User:
    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    permissions: int = int(MEMBER_PERMISSIONS)

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.payload(),
            "roles": [str(r) for r in self.roles],
            "joined_at": EPOCH,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(self.permissions),
        }


@dataclass
class Guild:
    id: int
    name: str
    roles: dict[int, str]
    channel_id: int
    extra_channels: dict[int, str] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        roles = [
            {
                "id": str(self.id),
                "name": "@everyone",
                "permissions": MEMBER_PERMISSIONS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ]
        roles += [
            {
                "id": str(rid),
                "name": name,
                "permissions": "0",
                "position": n + 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": True,
                "flags": 0,
            }
            for n, (rid, name) in enumerate(self.roles.items())
        ]
        return {
            "id": str(self.id),
            "name": self.name,
            "unavailable": False,
            "member_count": 3,
            "owner_id": "1",
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [self.channel()]
            + [self.channel(cid, name) for cid, name in self.extra_channels.items()],
            "members": [],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "large": False,
            "joined_at": EPOCH,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    def channel(self, channel_id: int | None = None, name: str = "newsroom") -> dict[str, Any]:
        return {
            "id": str(channel_id or self.channel_id),
            "type": 0,
            "guild_id": str(self.id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }


@dataclass
class Exchange:
    """Everything the bot sent back for one interaction (matched by its token)."""

    token: str
    requests: list[Recorded] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def callback(self) -> dict[str, Any]:
        for r in self.requests:
            if r.path.endswith("/callback"):
                return r.body  # type: ignore[no-any-return]
        raise AssertionError(f"no interaction callback yet: {self.requests}")

    def followups(self) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.method == "POST" and "/webhooks/" in r.path]

    def deleted_original(self) -> bool:
        return any(
            r.method == "DELETE" and r.path.endswith("/messages/@original") for r in self.requests
        )

    def final_message(self) -> dict[str, Any]:
        """What the user ends up seeing: the follow-up after a deferral, else the callback data."""
        callback = self.callback
        if callback["type"] == 5:
            followups = self.followups()
            if not followups:
                raise AssertionError("deferred but never followed up")
            return followups[-1]
        return callback["data"]  # type: ignore[no-any-return]

    async def wait(self, ready: Callable[[Exchange], bool]) -> Exchange:
        async with asyncio.timeout(10):
            while not ready(self):
                self.changed.clear()
                await self.changed.wait()
        return self


def _answered(ex: Exchange) -> bool:
    callbacks = [r for r in ex.requests if r.path.endswith("/callback")]
    if not callbacks:
        return False
    if callbacks[0].body["type"] == 5:  # deferred: wait for the follow-up
        return bool(ex.followups())
    return True


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.guilds: dict[int, Guild] = {}
        self.synced: dict[str, list[dict[str, Any]]] = {}
        self.exchanges: dict[str, Exchange] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.identified = asyncio.Event()
        self.identify_payloads: list[dict[str, Any]] = []
        self._ids = itertools.count(1000000000000000000)
        self._sockets: list[tuple[web.WebSocketResponse, Any]] = []
        # The shard each gateway connection identified as: (shard id, shard count).
        self._shards: dict[int, tuple[int, int]] = {}
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Hooks for tests of failure handling: (method, path) -> list of canned responses.
        self.scripted: dict[tuple[str, str], list[web.Response]] = {}
        # Message creation: answers to give before behaving normally (429s, 500s, ...).
        self.message_failures: list[web.Response] = []
        # Users whose DMs are closed to the bot (Discord error 50007).
        self.dms_closed: set[int] = set()
        # Channel id -> messages that exist there (what people actually see).
        self.channel_messages: dict[int, list[dict[str, Any]]] = {}
        self.dm_channels: dict[int, int] = {}  # DM channel id -> user id
        self._nonces: dict[tuple[int, str], dict[str, Any]] = {}
        # Route kind -> event: while set, such requests are recorded and then never answered
        # (the process on the other end can be killed meanwhile). "open_dm" or "message".
        self.hold: dict[str, asyncio.Event] = {}
        self.held = asyncio.Event()
        self._stopping = asyncio.Event()
        # Discord's global limit (50 requests/s for a bot) when set: bot requests beyond it get
        # the 429 Discord sends. Interaction answers are exempt there too. For the benchmarks.
        self.global_rate: float | None = None
        self.global_429s = 0
        self._recent: collections.deque[float] = collections.deque()

    # ------------------------------------------------------------------ server
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._stopping.set()
        for ws, _ in self._sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    def add_guild(
        self,
        guild_id: int,
        name: str,
        roles: dict[int, str] | None = None,
        channels: dict[int, str] | None = None,
    ) -> Guild:
        guild = Guild(
            guild_id, name, roles or {}, channel_id=guild_id + 1, extra_channels=channels or {}
        )
        self.guilds[guild_id] = guild
        return guild

    def next_id(self) -> int:
        return next(self._ids)

    # ------------------------------------------------------------------ gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            raise AssertionError(
                f"fake Discord only speaks zlib-stream, client asked for {compress}"
            )
        deflate = zlib.compressobj() if compress else None
        self._sockets.append((ws, deflate))
        await self._send(
            ws, deflate, {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
        )
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if data["op"] == 1:
                await self._send(ws, deflate, {"op": 11, "d": None, "s": None, "t": None})
            elif data["op"] == 2:
                self.identify_payloads.append(data["d"])
                if "shard" in data["d"]:
                    shard_id, count = data["d"]["shard"]
                    self._shards[id(ws)] = (int(shard_id), int(count))
                await self._ready(ws, deflate)
        return ws

    async def _send(self, ws: web.WebSocketResponse, deflate: Any, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        if deflate is None:
            await ws.send_str(raw.decode())
        else:
            await ws.send_bytes(deflate.compress(raw) + deflate.flush(zlib.Z_SYNC_FLUSH))

    async def _ready(self, ws: web.WebSocketResponse, deflate: Any) -> None:
        ready = {
            "v": 10,
            "user": {**User(BOT_ID, "Claimdesk").payload(), "bot": True},
            "guilds": [
                {"id": str(g), "unavailable": True} for g in self.guilds if self._serves(ws, g)
            ],
            "session_id": "fake-session",
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if id(ws) in self._shards:
            ready["shard"] = list(self._shards[id(ws)])  # as Discord says which shard is ready
        await self._send(ws, deflate, {"op": 0, "t": "READY", "s": next(self._seq), "d": ready})
        for guild_id, guild in self.guilds.items():
            if self._serves(ws, guild_id):
                await self._send(
                    ws,
                    deflate,
                    {"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": guild.payload()},
                )
        self.identified.set()

    def _serves(self, ws: web.WebSocketResponse, guild_id: int | None) -> bool:
        """Whether a server's events go to this connection: Discord's rule, (server id >> 22)
        modulo the shard count picks the shard; events of no server go to shard 0."""
        shard = self._shards.get(id(ws))
        if shard is None:
            return True
        shard_id, count = shard
        return ((guild_id or 0) >> 22) % count == shard_id

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        for ws, deflate in self._sockets:
            if not ws.closed and self._serves(ws, guild_id):
                await self._send(
                    ws, deflate, {"op": 0, "t": event, "s": next(self._seq), "d": data}
                )

    # ------------------------------------------------------------------ REST
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "multipart/form-data":
                form = await request.post()
                body = json.loads(str(form["payload_json"]))
            else:
                text = await request.text()
                body = json.loads(text) if text else None
        record = Recorded(request.method, path, dict(request.query), body)
        self.requests.append(record)
        for token, exchange in self.exchanges.items():
            if token in path:
                exchange.requests.append(record)
                exchange.changed.set()
        scripted = self.scripted.get((request.method, path))
        if scripted:
            return scripted.pop(0)
        if self.global_rate and not path.startswith(("/interactions/", "/webhooks/")):
            limited = self._over_global_limit(self.global_rate)
            if limited:
                return limited
        return await self._route(request.method, path, body)

    def _over_global_limit(self, rate: float) -> web.Response | None:
        now = time.monotonic()
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= rate:
            self.global_429s += 1
            return rate_limited(round(self._recent[0] + 1.0 - now, 3), global_limit=True)
        self._recent.append(now)
        return None

    def _message(self, body: dict[str, Any], channel_id: int, *, flags: int = 0) -> dict[str, Any]:
        message_id = self.next_id()
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "type": 0,
            "author": {**User(BOT_ID, "Claimdesk").payload(), "bot": True},
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "timestamp": EPOCH,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "flags": flags | int(body.get("flags") or 0),
        }
        self.messages[message_id] = message
        return message

    async def _route(self, method: str, path: str, body: Any) -> web.StreamResponse:
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/users/@me":
            return _json({**User(BOT_ID, "Claimdesk").payload(), "bot": True})
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json(
                {
                    "id": str(APP_ID),
                    "name": "Claimdesk",
                    "description": "",
                    "icon": None,
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "verify_key": "0" * 64,
                    "owner": User(1, "Owner").payload(),
                    "flags": 0,
                }
            )
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            scope = parts[3] if len(parts) == 5 else "global"
            commands = [
                {
                    "description": "",
                    "options": [],
                    **c,
                    "id": str(self.next_id()),
                    "application_id": str(APP_ID),
                    "version": "1",
                }
                for c in body
            ]
            self.synced[scope] = commands
            return _json(commands)
        if method == "POST" and parts[0] == "interactions" and parts[-1] == "callback":
            return _json({"interaction": {"id": parts[1], "type": 2}})
        if method == "POST" and path == "/users/@me/channels":
            return await self._open_dm(int(body["recipient_id"]))
        if method == "POST" and parts[0] == "channels" and parts[-1] == "messages":
            return await self._create_message(int(parts[1]), body)
        if parts[0] == "webhooks":
            if method == "POST":
                return _json(self._message(body, channel_id=1))
            if method == "DELETE":
                return web.Response(status=204)
            if method in ("PATCH", "GET"):
                return _json(self._message(body or {}, channel_id=1))
        return _json({"message": "Unknown route in fake Discord", "code": 0}, status=404)

    async def _hold(self, kind: str) -> None:
        if kind in self.hold:
            self.held.set()
            await self._stopping.wait()  # no answer until the fake shuts down
            raise web.HTTPServiceUnavailable()

    async def _open_dm(self, user_id: int) -> web.Response:
        await self._hold("open_dm")
        channel_id = user_id + 7
        self.dm_channels[channel_id] = user_id
        return _json(
            {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "recipients": [User(user_id, f"user{user_id}").payload()],
            }
        )

    async def _create_message(self, channel_id: int, body: dict[str, Any]) -> web.Response:
        if self.message_failures:
            return self.message_failures.pop(0)
        if self.dm_channels.get(channel_id) in self.dms_closed:
            return _json(
                {"message": "Cannot send messages to this user", "code": 50007}, status=403
            )
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self._nonces:
            # What Discord does with enforce_nonce: the same message again, nothing new posted.
            return _json(self._nonces[(channel_id, nonce)])
        message = self._message(body, channel_id)
        self.channel_messages.setdefault(channel_id, []).append(message)
        if nonce:
            self._nonces[(channel_id, nonce)] = message
        await self._hold("message")
        return _json(message)

    def dms_to(self, user_id: int) -> list[dict[str, Any]]:
        return self.channel_messages.get(user_id + 7, [])

    def message_posts(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.startswith("/channels/")]

    # ------------------------------------------------------------- interactions
    def _base(self, kind: int, guild: Guild, user: User, data: dict[str, Any]) -> dict[str, Any]:
        interaction_id = self.next_id()
        token = f"token-{interaction_id}"
        self.exchanges[token] = Exchange(token)
        return {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(guild.id),
            "channel_id": str(guild.channel_id),
            "channel": guild.channel(),
            "member": user.member(),
            "app_permissions": ALL_PERMISSIONS,
            "locale": "en-GB",
            "guild_locale": "en-GB",
            "data": data,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }

    async def _send_interaction(self, payload: dict[str, Any], *, wait: bool) -> Exchange:
        exchange = self.exchanges[payload["token"]]
        await self.dispatch("INTERACTION_CREATE", payload)
        if wait:
            await exchange.wait(_answered)
        return exchange

    def _command_id(self, name: str, kind: int = 1) -> str:
        for commands in self.synced.values():
            for command in commands:
                if command["name"] == name and command.get("type", 1) == kind:
                    return str(command["id"])
        raise AssertionError(f"command {name!r} was never synced")

    @staticmethod
    def _options(values: dict[str, Any], focused: str | None = None) -> list[dict[str, Any]]:
        options = []
        for name, value in values.items():
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            option: dict[str, Any] = {"name": name, "type": kind, "value": value}
            if name == focused:
                option["focused"] = True
            options.append(option)
        return options

    async def slash(
        self, guild: Guild, user: User, *path: str, wait: bool = True, **values: Any
    ) -> Exchange:
        """Invoke /path[0] path[1] (path[2]) with the given option values.

        Role, channel and member options are given as ("role", id), ("channel", id) or
        ("member", User): Discord resolves them in the interaction, as here.
        """
        typed = {
            k: v
            for k, v in values.items()
            if isinstance(v, tuple) and v and v[0] in ("role", "channel", "member")
        }
        options = self._options({k: v for k, v in values.items() if k not in typed})
        resolved: dict[str, Any] = {}
        for name, (kind, ref) in typed.items():
            if kind == "member":
                options.append({"name": name, "type": 6, "value": str(ref.id)})
                member = {k: v for k, v in ref.member().items() if k != "user"}
                resolved.setdefault("users", {})[str(ref.id)] = ref.payload()
                resolved.setdefault("members", {})[str(ref.id)] = member
            elif kind == "role":
                options.append({"name": name, "type": 8, "value": str(ref)})
                role = next(r for r in guild.payload()["roles"] if r["id"] == str(ref))
                resolved.setdefault("roles", {})[str(ref)] = role
            else:
                options.append({"name": name, "type": 7, "value": str(ref)})
                channel = {
                    **guild.channel(int(ref), guild.extra_channels.get(int(ref), "x")),
                    "permissions": ALL_PERMISSIONS,
                }
                resolved.setdefault("channels", {})[str(ref)] = channel
        for sub in reversed(path[1:]):
            kind = 1 if sub == path[-1] else 2
            options = [{"name": sub, "type": kind, "options": options}]
        data = {"id": self._command_id(path[0]), "name": path[0], "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(self._base(2, guild, user, data), wait=wait)

    async def autocomplete(
        self, guild: Guild, user: User, *path: str, focused: str, **values: Any
    ) -> list[dict[str, Any]]:
        options = self._options(values, focused=focused)
        for sub in reversed(path[1:]):
            options = [{"name": sub, "type": 1, "options": options}]
        data = {"id": self._command_id(path[0]), "name": path[0], "type": 1, "options": options}
        exchange = await self._send_interaction(self._base(4, guild, user, data), wait=True)
        assert exchange.callback["type"] == 8
        return exchange.callback["data"]["choices"]  # type: ignore[no-any-return]

    async def message_menu(self, guild: Guild, user: User, name: str, content: str) -> Exchange:
        author = User(self.next_id(), "Someone")
        message = self._message({"content": content}, guild.channel_id)
        message["author"] = author.payload()
        data = {
            "id": self._command_id(name, kind=3),
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        return await self._send_interaction(self._base(2, guild, user, data), wait=True)

    async def press(
        self, guild: Guild, user: User, message: dict[str, Any], custom_id: str
    ) -> Exchange:
        """Press a button of a message the bot sent (``message`` as recorded)."""
        shown = self._message(message, guild.channel_id, flags=int(message.get("flags") or 0))
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._base(3, guild, user, data)
        payload["message"] = shown
        return await self._send_interaction(payload, wait=True)

    async def press_in_dm(self, user: User, message: dict[str, Any], custom_id: str) -> Exchange:
        """Press a button of a message the bot sent to ``user`` in a DM (no guild, no member)."""
        interaction_id = self.next_id()
        token = f"token-{interaction_id}"
        self.exchanges[token] = Exchange(token)
        channel_id = int(message["channel_id"])
        payload = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": 3,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": {"id": str(channel_id), "type": 1},
            "user": user.payload(),
            "app_permissions": ALL_PERMISSIONS,
            "locale": "en-GB",
            "data": {"custom_id": custom_id, "component_type": 2},
            "message": message,
            "entitlements": [],
            "authorizing_integration_owners": {"1": str(user.id)},
            "context": 1,
            "attachment_size_limit": 10485760,
        }
        return await self._send_interaction(payload, wait=True)

    async def submit_modal(
        self, guild: Guild, user: User, modal: dict[str, Any], values: list[str]
    ) -> Exchange:
        """Fill a modal the bot opened (callback type 9) with ``values``, in order of its inputs."""
        remaining = list(values)

        def fill(component: dict[str, Any]) -> dict[str, Any]:
            if component["type"] == 1:
                return {"type": 1, "components": [fill(c) for c in component["components"]]}
            if component["type"] == 18:
                return {"type": 18, "component": fill(component["component"])}
            return {
                "type": component["type"],
                "custom_id": component["custom_id"],
                "value": remaining.pop(0),
            }

        data = {
            "custom_id": modal["custom_id"],
            "components": [fill(c) for c in modal["components"]],
        }
        return await self._send_interaction(self._base(5, guild, user, data), wait=True)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [
        c["custom_id"] for row in message.get("components", []) for c in row.get("components", [])
    ]


def rate_limited(retry_after: float, *, global_limit: bool = False) -> web.Response:
    """A 429 as Discord sends it (discord.py checks the Via header to tell it from a ban)."""
    headers = {
        "Content-Type": "application/json",
        "Via": "1.1 google",
        "Retry-After": str(retry_after),
    }
    if global_limit:
        headers["X-RateLimit-Global"] = "true"
        headers["X-RateLimit-Scope"] = "global"
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": global_limit,
    }
    return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)


def server_error() -> web.Response:
    return web.Response(
        body=b"upstream trouble", status=500, headers={"Content-Type": "text/plain"}
    )
