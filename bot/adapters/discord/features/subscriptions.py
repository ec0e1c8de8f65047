"""/subscribe, /unsubscribe, /subscriptions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.autocomplete import claim_choices, tag_choices
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.models import Actor
from bot.core.notifications.models import Channel, Subscription

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

DeliveryChoice = Literal["dm", "channel"]
DigestChoice = Literal["instant", "hourly", "daily"]


def describe(subscription: Subscription) -> str:
    what = {
        "claim": f"claim #{subscription.target}",
        "tag": f"tag `{subscription.target}`",
        "all": "every claim",
    }[subscription.scope]
    where = "by DM" if subscription.delivery is Channel.DM else f"in <#{subscription.channel_id}>"
    when = (
        "" if subscription.cadence.value == "instant" else f", {subscription.cadence.value} digest"
    )
    return f"{what} {where}{when}"


class _Base:
    client: ClaimdeskDiscord

    async def _reply(
        self, interaction: discord.Interaction, build: Callable[[Actor], Awaitable[str]]
    ) -> None:
        async def work() -> Reply:
            return Reply(content=await build(actor_from(interaction)), ephemeral=True)

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=True)

    async def _subscribe(
        self,
        interaction: discord.Interaction,
        scope: str,
        target: str | None,
        delivery: str,
        channel: discord.TextChannel | None,
        digest: str,
    ) -> None:
        async def build(actor: Actor) -> str:
            where = channel.id if channel else interaction.channel_id
            command = g.Subscribe(scope, target, delivery, str(where), digest)
            done = await self.client.commands.ask(actor, command, r.SubscribedReply)
            verb = "You now follow" if done.created else "You already follow"
            return f"{verb} {describe(done.subscription)}."

        await self._reply(interaction, build)


_DESCRIBE = {
    "delivery": "By DM (default), or posted in a channel (needs Manage Channels)",
    "channel": "The channel to post in (default: this one)",
    "digest": "Every update at once (default), or an hourly or daily digest",
}


@app_commands.guild_only()
class SubscribeCommands(
    _Base, app_commands.Group, name="subscribe", description="Hear about changes to claims"
):
    def __init__(self, client: ClaimdeskDiscord) -> None:
        super().__init__()
        self.client = client

    @app_commands.command(name="claim", description="Status changes and new sources of one claim")
    @app_commands.describe(claim="Claim id (#12)", **_DESCRIBE)
    async def claim_(
        self,
        interaction: discord.Interaction,
        claim: str,
        delivery: DeliveryChoice = "dm",
        channel: discord.TextChannel | None = None,
        digest: DigestChoice = "instant",
    ) -> None:
        await self._subscribe(interaction, "claim", claim, delivery, channel, digest)

    @app_commands.command(name="tag", description="New claims with a tag, and their status changes")
    @app_commands.describe(tag="The tag, e.g. kursk", **_DESCRIBE)
    async def tag_(
        self,
        interaction: discord.Interaction,
        tag: str,
        delivery: DeliveryChoice = "dm",
        channel: discord.TextChannel | None = None,
        digest: DigestChoice = "instant",
    ) -> None:
        await self._subscribe(interaction, "tag", tag, delivery, channel, digest)

    @app_commands.command(name="all", description="Every new claim, source and status change here")
    @app_commands.describe(**_DESCRIBE)
    async def all_(
        self,
        interaction: discord.Interaction,
        delivery: DeliveryChoice = "dm",
        channel: discord.TextChannel | None = None,
        digest: DigestChoice = "instant",
    ) -> None:
        await self._subscribe(interaction, "all", None, delivery, channel, digest)

    @claim_.autocomplete("claim")
    async def _claims(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await claim_choices(self.client.commands, interaction, current)

    @tag_.autocomplete("tag")
    async def _tags(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(self.client.commands, interaction, current)


@app_commands.guild_only()
class UnsubscribeCommands(
    _Base, app_commands.Group, name="unsubscribe", description="Stop hearing about claims"
):
    def __init__(self, client: ClaimdeskDiscord) -> None:
        super().__init__()
        self.client = client

    async def _remove(
        self, interaction: discord.Interaction, scope: str, target: str | None
    ) -> None:
        async def build(actor: Actor) -> str:
            command = g.Unsubscribe(scope, target)
            removed = (await self.client.commands.ask(actor, command, r.UnsubscribedReply)).removed
            return f"Unsubscribed ({removed} subscription{'s' if removed != 1 else ''} removed)."

        await self._reply(interaction, build)

    @app_commands.command(name="claim", description="Stop following a claim")
    async def claim_(self, interaction: discord.Interaction, claim: str) -> None:
        await self._remove(interaction, "claim", claim)

    @app_commands.command(name="tag", description="Stop following a tag")
    async def tag_(self, interaction: discord.Interaction, tag: str) -> None:
        await self._remove(interaction, "tag", tag)

    @app_commands.command(name="all", description="Stop following everything")
    async def all_(self, interaction: discord.Interaction) -> None:
        await self._remove(interaction, "all", None)


def subscriptions_command(client: ClaimdeskDiscord) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="subscriptions", description="What you follow here")
    @app_commands.guild_only()
    async def subscriptions(interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            listed = g.ListSubscriptions()
            actor = actor_from(interaction)
            mine = (await client.commands.ask(actor, listed, r.SubscriptionsReply)).subscriptions
            if not mine:
                text = "You follow nothing yet. Try `/subscribe claim`, `/subscribe tag` or `/subscribe all`."
            else:
                text = "You follow:\n" + "\n".join(f"• {describe(s)}" for s in mine)
            return Reply(content=text, ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    return subscriptions
