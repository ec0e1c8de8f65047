"""Build the slack-bolt AsyncApp: its Web API client, listeners and error handler."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.answers import error_answer
from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.identity import SlackIdentity
from bot.adapters.slack.listeners import register
from bot.config import SlackConfig
from bot.core.commands import CommandRunner


def web_client(config: SlackConfig) -> AsyncWebClient:
    if config.bot_token is None:
        raise ValueError("Slack needs a bot token (SLACK_BOT_TOKEN)")
    client = AsyncWebClient(
        token=config.bot_token.get_secret_value(),
        base_url=(config.api_base.rstrip("/") + "/api/")
        if config.api_base
        else AsyncWebClient.BASE_URL,
    )
    # On "ratelimited", wait as long as Slack's Retry-After says, then try again (twice at most).
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    return client


def build_app(commands: CommandRunner, config: SlackConfig, client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(
        client=client,
        # HTTP mode verifies every request's signature and timestamp with this secret.
        signing_secret=config.signing_secret.get_secret_value() if config.signing_secret else None,
        request_verification_enabled=config.mode == "http",
    )
    register(
        app,
        SlackDeps(commands=commands, identity=SlackIdentity(client)),
    )

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        text, error_blocks = error_answer(error, body, "request")
        response_url = body.get("response_url")
        if response_url:
            from slack_sdk.webhook.async_client import AsyncWebhookClient

            await AsyncWebhookClient(response_url).send(
                text=text, blocks=error_blocks or None, response_type="ephemeral"
            )

    return app
