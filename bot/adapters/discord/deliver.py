"""Discord delivery of notifications: a DM to the subscriber, or a post in a channel.

Each message carries the notification's key as a nonce with enforce_nonce, so if the bot dies
after Discord accepted a message but before the outbox recorded it, the resend after restart
is recognised by Discord and not posted twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.adapters.discord import render
from bot.core.notifications.dispatcher import DeliveryFailed
from bot.core.notifications.models import Channel, Notification

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord


CANNOT_DM = 50007  # Discord: "Cannot send messages to this user"


class DiscordDeliverer:
    platform = "discord"
    # Discord allows 50 requests/s globally; a DM can take two (open the DM, send). Stay well
    # below so that command answers always have room.
    rate_per_second = 15.0

    def __init__(self, client: ClaimdeskDiscord) -> None:
        self._client = client

    async def deliver(self, notification: Notification) -> None:
        await self._client.wait_until_ready()
        guild_id = int(notification.workspace.split(":", 1)[1])
        try:
            target: discord.abc.Messageable
            if notification.recipient_kind is Channel.DM:
                target = await self._client.create_dm(discord.Object(int(notification.recipient)))
            else:
                target = self._client.get_partial_messageable(
                    int(notification.recipient), guild_id=guild_id
                )
            await target.send(
                embed=render.notification_embed(notification),
                view=render_view(notification, guild_id),
                nonce=notification.key,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden as error:
            if error.code == CANNOT_DM:
                raise DeliveryFailed(
                    "Discord refused the DM: the member's DMs are closed to this server",
                    recipient_unreachable=True,
                ) from error
            raise DeliveryFailed(
                f"Discord refused the message: {error.text}", permanent=True
            ) from error
        except discord.NotFound as error:
            raise DeliveryFailed(
                f"Discord has no such user or channel: {error.text}", permanent=True
            ) from error
        except discord.RateLimited as error:
            raise DeliveryFailed("Discord rate limit", retry_after=error.retry_after) from error
        except discord.HTTPException as error:
            raise DeliveryFailed(f"Discord answered {error.status}: {error.text}") from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"could not reach Discord: {error!r}") from error

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        guild_id = int(workspace.split(":", 1)[1])
        channel = self._client.get_partial_messageable(int(channel_id), guild_id=guild_id)
        await channel.send(
            f"<@{user_id}> Claimdesk can't send you notifications by DM ({reason}). "
            "Allow direct messages from this server's members, then subscribe again.",
            # The one deliberate ping: the person who needs to act.
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(int(user_id))]),
        )


def render_view(notification: Notification, guild_id: int) -> discord.ui.View:
    from bot.adapters.discord.components import ShowButton  # components imports render

    view = discord.ui.View(timeout=None)
    for claim_id in dict.fromkeys(e.claim_id for e in notification.events):
        if len(view.children) == 5:
            break
        view.add_item(ShowButton(guild_id, claim_id))
    return view
