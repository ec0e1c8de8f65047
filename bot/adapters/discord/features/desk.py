"""The desk's queue on Discord: /claim queue, /claim requests, /claim assign, /claim unassign,
the "Take it" button (on a claim's card and under the queue) and "Send to the desk" (under a
check that found nothing). Every button is a DynamicItem whose state is in its custom id, so a
press is answered after a restart too."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, cast

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.autocomplete import claim_choices, tag_choices
from bot.adapters.discord.respond import Reply, answer, guarded
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.desk import QueuePage, QueueView
from bot.core.desk_words import (
    SEND_TO_DESK_LABEL,
    TAKE_IT_LABEL,
    assignment_text,
    sent_text,
)

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

QueueChoice = Literal["all", "mine", "unassigned"]
StatusChoice = Literal["unverified", "verified", "disputed"]
# The queue's buttons: Take for the first few claims nobody is on (a row holds five).
TAKE_BUTTONS = 5


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


class TakeButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:take:(?P<claim>[0-9]+)",
):
    """Anyone may take a claim nobody is on (the core refuses the rest)."""

    def __init__(self, claim_id: int, *, label: str = TAKE_IT_LABEL) -> None:
        self.claim_id = claim_id
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"cd:take:{claim_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TakeButton:
        return cls(int(match["claim"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            command = g.Assign(str(self.claim_id))
            done = await client.commands.ask(actor_from(interaction), command, r.AssignedReply)
            return Reply(content=assignment_text(done.done, done.actor), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)


class SendToDeskButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:desk:(?P<check>[0-9]+)",
):
    """Under a check that found nothing the message repeats: add it as a new claim."""

    def __init__(self, check_id: int) -> None:
        self.check_id = check_id
        super().__init__(
            discord.ui.Button(
                label=SEND_TO_DESK_LABEL,
                style=discord.ButtonStyle.primary,
                custom_id=f"cd:desk:{check_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SendToDeskButton:
        return cls(int(match["check"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            command = g.SendToDesk(str(self.check_id))
            sent = (
                await client.commands.ask(actor_from(interaction), command, r.SentToDeskReply)
            ).sent
            view = take_view(sent.detail.claim.id) if sent.detail.claim.assignee is None else None
            return Reply(
                content=sent_text(sent),
                embed=render.claim_embed(sent.detail),
                view=view,
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)


def take_view(claim_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TakeButton(claim_id))
    return view


def queue_custom_id(page: int, view: QueueView, status: str, tag: str | None) -> str:
    return f"cd:qp:{page}:{view.value}:{status}:{tag or ''}"


class QueuePageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:qp:(?P<page>[0-9]+):(?P<view>[a-z]+):(?P<status>[a-z]+):(?P<tag>[a-z0-9-]*)",
):
    def __init__(
        self,
        *,
        page: int,
        view: QueueView,
        status: str,
        tag: str | None,
        label: str,
        disabled: bool = False,
    ) -> None:
        self.page, self.queue, self.status, self.tag = page, view, status, tag
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=queue_custom_id(page, view, status, tag),
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QueuePageButton:
        return cls(
            page=int(match["page"]),
            view=QueueView(match["view"]),
            status=match["status"],
            tag=match["tag"] or None,
            label=getattr(item, "label", None) or "",
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)
        command = g.Queue(self.queue.value, self.tag, self.status, self.page)
        reply = await guarded(
            interaction, client.commands.ask(actor_from(interaction), command, r.QueueReply)
        )
        if reply is None:
            return
        embed, view = render.queue_embed(reply.page, reply.now), queue_view(reply.page)
        await interaction.response.edit_message(embed=embed, view=view)


def queue_view(page: QueuePage) -> discord.ui.View | None:
    """Take buttons for the first claims nobody is on, and paging."""
    view = discord.ui.View(timeout=None)
    free = [item.claim.id for item in page.items if item.assignee is None][:TAKE_BUTTONS]
    for claim_id in free:
        take = TakeButton(claim_id, label=f"Take #{claim_id}")
        take.item.row = 0
        view.add_item(take)
    if page.pages > 1:
        query = page.query
        for target, label, disabled in (
            (max(1, query.page - 1), "◀ Previous", not page.has_previous),
            (query.page + 1, "Next ▶", not page.has_next),
        ):
            button = QueuePageButton(
                page=target,
                view=query.view,
                status=query.status.value,
                tag=query.tag,
                label=label,
                disabled=disabled,
            )
            button.item.row = 1
            view.add_item(button)
    return view if view.children else None


def desk_commands(client: ClaimdeskDiscord) -> list[app_commands.Command[Any, Any, None]]:
    """/claim queue, requests, assign and unassign, added to the /claim group."""

    @app_commands.command(name="queue", description="Open claims, most wanted first")
    @app_commands.describe(
        which="Everyone's open claims, yours, or the ones nobody is on",
        tag="Only claims with this tag",
        status="Claims of this status instead of the unverified ones",
        page="Page of the queue",
    )
    async def queue(
        interaction: discord.Interaction,
        which: QueueChoice = "all",
        tag: str | None = None,
        status: StatusChoice | None = None,
        page: app_commands.Range[int, 1, 1000] = 1,
    ) -> None:
        async def work() -> Reply:
            view = QueueView.OPEN.value if which == "all" else which
            command = g.Queue(view, tag, status, page)
            reply = await client.commands.ask(actor_from(interaction), command, r.QueueReply)
            return Reply(
                embed=render.queue_embed(reply.page, reply.now),
                view=queue_view(reply.page),
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    @queue.autocomplete("tag")
    async def queue_tags(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(client.commands, interaction, current)

    @app_commands.command(name="requests", description="Who asked about a claim, newest first")
    @app_commands.describe(claim="Claim id (#12) or words from it", page="Page of requests")
    async def requests(
        interaction: discord.Interaction,
        claim: str,
        page: app_commands.Range[int, 1, 1000] = 1,
    ) -> None:
        async def work() -> Reply:
            command = g.Requests(claim, page)
            reply = await client.commands.ask(actor_from(interaction), command, r.RequestsReply)
            return Reply(embed=render.requests_embed(reply.page), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    @app_commands.command(name="assign", description="Put someone on a claim (you, if no one)")
    @app_commands.describe(
        claim="Claim id (#12) or words from it",
        to="Who is to check it (moderators only, for someone else); leave out to take it",
    )
    async def assign(
        interaction: discord.Interaction, claim: str, to: discord.Member | None = None
    ) -> None:
        async def work() -> Reply:
            command = (
                g.Assign(claim, str(to.id), to.display_name) if to is not None else g.Assign(claim)
            )
            done = await client.commands.ask(actor_from(interaction), command, r.AssignedReply)
            return Reply(
                content=render.safe(assignment_text(done.done, done.actor), 500),
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    @app_commands.command(name="unassign", description="Take whoever is on a claim off it")
    @app_commands.describe(claim="Claim id (#12) or words from it")
    async def unassign(interaction: discord.Interaction, claim: str) -> None:
        async def work() -> Reply:
            done = await client.commands.ask(
                actor_from(interaction), g.Unassign(claim), r.AssignedReply
            )
            return Reply(
                content=render.safe(assignment_text(done.done, done.actor), 500),
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    @requests.autocomplete("claim")
    @assign.autocomplete("claim")
    @unassign.autocomplete("claim")
    async def claims_offered(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await claim_choices(client.commands, interaction, current)

    made: list[Any] = [queue, requests, assign, unassign]
    return [cast("app_commands.Command[Any, Any, None]", command) for command in made]
