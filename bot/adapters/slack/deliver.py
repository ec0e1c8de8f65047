"""Slack delivery of notifications: chat.postMessage to the user (their DM with the app) or a channel."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack import blocks
from bot.core.notifications.dispatcher import DeliveryFailed
from bot.core.notifications.models import Notification

# Errors that retrying cannot fix.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "user_disabled",
    "cannot_dm_bot",
    "account_inactive",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "missing_scope",
}
UNREACHABLE = {"cannot_dm_bot", "user_disabled", "user_not_found"}


class SlackDeliverer:
    platform = "slack"
    # chat.postMessage allows about one message a second per channel, bursts tolerated; every
    # DM is its own channel, so the app-wide pace is what matters.
    rate_per_second = 10.0

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def deliver(self, notification: Notification) -> None:
        text, message_blocks = blocks.notification_blocks(notification)
        try:
            await self._client.chat_postMessage(
                channel=notification.recipient, text=text, blocks=message_blocks, unfurl_links=False
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown_error"))
            if code == "ratelimited":
                retry_after = float(error.response.headers.get("Retry-After", "30"))
                raise DeliveryFailed("Slack rate limit", retry_after=retry_after) from error
            if code in PERMANENT:
                raise DeliveryFailed(
                    f"Slack refused the message: {code}",
                    permanent=True,
                    recipient_unreachable=code in UNREACHABLE,
                ) from error
            raise DeliveryFailed(f"Slack answered {error.response.status_code}: {code}") from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"could not reach Slack: {error!r}") from error

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        await self._client.chat_postMessage(
            channel=channel_id,
            text=f"{blocks.mention('@', user_id)} Claimdesk can't send you notifications"
            f" directly ({blocks.esc(reason, 200)}).",
        )
