"""The Slack front end: Socket Mode (no public URL) or HTTP with request signing."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.app import build_app, web_client
from bot.adapters.slack.deliver import SlackDeliverer
from bot.config import ConfigError, SlackConfig
from bot.core.commands import CommandRunner
from bot.runtime import Unreachable

log = logging.getLogger("bot.adapters.slack")
EVENTS_PATH = "/slack/events"


class SlackFrontEnd:
    name = "slack"

    def __init__(self, commands: CommandRunner, config: SlackConfig) -> None:
        if config.mode == "socket" and config.app_token is None:
            raise ConfigError(
                "slack.app_token: Socket Mode needs an app-level token (set SLACK_APP_TOKEN)"
            )
        if config.mode == "http" and config.signing_secret is None:
            raise ConfigError(
                "slack.signing_secret: HTTP mode needs the signing secret (set SLACK_SIGNING_SECRET)"
            )
        self._config = config
        self.client = web_client(config)
        self.app = build_app(commands, config, self.client)
        self.deliverer = SlackDeliverer(self.client)

    async def serve(self, stop: asyncio.Event) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as error:
            reason = error.response.get("error", "refused")
            raise Unreachable(f"Slack refused the bot token (SLACK_BOT_TOKEN): {reason}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise Unreachable(f"Slack cannot be reached: {error or type(error).__name__}") from None
        log.info(
            "Slack ready as %s in team %s (%s mode)",
            identity["user"],
            identity["team_id"],
            self._config.mode,
        )
        if self._config.mode == "socket":
            await self._serve_socket(stop)
        else:
            await self._serve_http(stop)
        log.info("Slack: stopped")

    async def _serve_socket(self, stop: asyncio.Event) -> None:
        assert self._config.app_token is not None
        handler = AsyncSocketModeHandler(self.app, self._config.app_token.get_secret_value())
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack-bolt
        except SlackApiError as error:
            reason = error.response.get("error", "refused")
            raise Unreachable(
                f"Slack refused the app token (SLACK_APP_TOKEN) for Socket Mode: {reason}"
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise Unreachable(
                f"Slack's Socket Mode cannot be reached: {error or type(error).__name__}"
            ) from None
        try:
            await stop.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

    async def _serve_http(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.app.web_app(path=EVENTS_PATH))
        await runner.setup()
        site = web.TCPSite(runner, self._config.http_host, self._config.http_port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise Unreachable(
                f"Slack: cannot listen on {self._config.http_host}:{self._config.http_port}"
                f" ({error.strerror or error})"
            ) from None
        log.info(
            "Slack: listening on http://%s:%s%s",
            self._config.http_host,
            self._config.http_port,
            EVENTS_PATH,
        )
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
