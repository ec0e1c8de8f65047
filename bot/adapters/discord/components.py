"""Buttons and modals. Paging and status buttons are DynamicItems: their state lives in the
custom id, so they keep working after the bot restarts."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

import discord

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from, reader_from
from bot.adapters.discord.respond import Reply, answer, report_unexpected, send_error
from bot.core.commands.grammar import Search
from bot.core.commands.replies import SearchReply
from bot.core.errors import ClaimdeskError
from bot.core.models import ClaimDetail, SearchPage, Status
from bot.core.presentation import STATUS_BADGE, STATUS_LABEL

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

log = logging.getLogger(__name__)
CUSTOM_ID_MAX = 100


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


# ----------------------------------------------------------------------------- search paging
def page_custom_id(page: int, status: str | None, tag: str | None, query: str) -> str:
    return f"cd:pg:{page}:{status or ''}:{tag or ''}:{query}"


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:pg:(?P<page>[0-9]+):(?P<status>[a-z]*):(?P<tag>[a-z0-9-]*):(?P<query>.*)",
):
    def __init__(
        self,
        *,
        page: int,
        status: str | None,
        tag: str | None,
        query: str,
        label: str,
        disabled: bool = False,
    ) -> None:
        self.page, self.status, self.tag, self.query = page, status, tag, query
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=page_custom_id(page, status, tag, query),
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(
            page=int(match["page"]),
            status=match["status"] or None,
            tag=match["tag"] or None,
            query=match["query"],
            label=getattr(item, "label", None) or "",
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)
        try:
            reply = await client.commands.run(
                actor_from(interaction), Search(self.query, self.status, self.tag, self.page)
            )
            assert isinstance(reply, SearchReply)
            result = reply.page
        except ClaimdeskError as error:
            await send_error(interaction, f"✖ {error}")
            return
        except Exception as error:
            await report_unexpected(interaction, error)
            return
        embed = render.search_embed(self.query, self.status, self.tag, result)
        await interaction.response.edit_message(
            embed=embed, view=search_view(self.query, self.status, self.tag, result)
        )


def search_view(
    query: str, status: str | None, tag: str | None, page: SearchPage
) -> discord.ui.View | None:
    if page.pages <= 1 or len(page_custom_id(page.pages, status, tag, query)) > CUSTOM_ID_MAX:
        # A query too long to carry in a button id is paged with the command's page option.
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        PageButton(
            page=max(1, page.page - 1),
            status=status,
            tag=tag,
            query=query,
            label="◀ Previous",
            disabled=not page.has_previous,
        )
    )
    view.add_item(
        PageButton(
            page=page.page + 1,
            status=status,
            tag=tag,
            query=query,
            label="Next ▶",
            disabled=not page.has_next,
        )
    )
    return view


# ----------------------------------------------------------------------------- moderation
class StatusButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:st:(?P<claim>[0-9]+):(?P<version>[0-9]+):(?P<status>verified|disputed|unverified)",
):
    STYLES: ClassVar[dict[Status, discord.ButtonStyle]] = {
        Status.VERIFIED: discord.ButtonStyle.success,
        Status.DISPUTED: discord.ButtonStyle.danger,
        Status.UNVERIFIED: discord.ButtonStyle.secondary,
    }
    VERBS: ClassVar[dict[Status, str]] = {
        Status.VERIFIED: "Verify",
        Status.DISPUTED: "Dispute",
        Status.UNVERIFIED: "Unverify",
    }

    def __init__(self, claim_id: int, version: int, status: Status) -> None:
        self.claim_id, self.version, self.status = claim_id, version, status
        super().__init__(
            discord.ui.Button(
                label=self.VERBS[status],
                emoji=STATUS_BADGE[status],
                style=self.STYLES[status],
                custom_id=f"cd:st:{claim_id}:{version}:{status.value}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> StatusButton:
        return cls(int(match["claim"]), int(match["version"]), Status(match["status"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            # Refuse before asking for a reason: "moderators only", and nothing changes.
            await _client(interaction).service.ensure_moderator(actor_from(interaction))
        except ClaimdeskError as error:
            await send_error(interaction, f"✖ {error}")
            return
        except Exception as error:
            await report_unexpected(interaction, error)
            return
        await interaction.response.send_modal(ReasonModal(self.claim_id, self.version, self.status))


class ReasonModal(discord.ui.Modal):
    reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
        label="Reason (goes into the permanent history)",
        style=discord.TextStyle.paragraph,
        min_length=3,
        max_length=500,
        placeholder="e.g. Two independent sources confirm; see the Reuters link.",
    )

    def __init__(self, claim_id: int, version: int, status: Status) -> None:
        super().__init__(
            title=f"Mark #{claim_id} {STATUS_LABEL[status].lower()}",
            custom_id=f"cd:reason:{claim_id}:{version}:{status.value}",
            timeout=900,
        )
        self.claim_id, self.version, self.status = claim_id, version, status

    async def on_submit(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            actor = actor_from(interaction)
            claim, _ = await client.service.change_status(
                actor, self.claim_id, self.status, self.reason.value, expected_version=self.version
            )
            detail = await client.service.show(actor, claim.id)
            return status_changed_reply(actor.display_name, detail, self.reason.value)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=False)

    # discord.py's Modal.on_error takes no item, unlike the View it derives from.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_unexpected(interaction, error)


def claim_view(detail: ClaimDetail, *, with_moderation: bool) -> discord.ui.View | None:
    if not with_moderation:
        return None
    view = discord.ui.View(timeout=None)
    for status in Status:
        if status is not detail.claim.status:
            view.add_item(StatusButton(detail.claim.id, detail.claim.version, status))
    return view


def status_changed_reply(who: str, detail: ClaimDetail, reason: str) -> Reply:
    claim = detail.claim
    return Reply(
        content=(
            f"**{render.safe(who, 80)}** marked **#{claim.id}** {STATUS_BADGE[claim.status]} "
            f"**{STATUS_LABEL[claim.status]}** — {render.safe(reason, 500)}"
        ),
        embed=render.claim_embed(detail),
        view=claim_view(detail, with_moderation=True),
    )


# ----------------------------------------------------------------------------- duplicates
class ConfirmDuplicate(discord.ui.View):
    """Shown (ephemerally) when /claim add finds a near-duplicate: only the author may decide."""

    def __init__(
        self, author_id: int, add_anyway: Callable[[], Awaitable[Reply]], defer_after: float
    ) -> None:
        super().__init__(timeout=600)
        self._author_id = author_id
        self._add_anyway = add_anyway
        self._defer_after = defer_after

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id != self._author_id:
            await interaction.response.send_message(
                "Only the person who added the claim can decide.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Add anyway", style=discord.ButtonStyle.primary)
    async def add(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await answer(
            interaction, self._add_anyway(), defer_after=self._defer_after, ephemeral=False
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Cancelled: nothing was added.", embed=None, view=None
        )

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_unexpected(interaction, error)


# ----------------------------------------------------------------------------- notifications
class ShowButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:show:(?P<guild>[0-9]+):(?P<claim>[0-9]+)",
):
    """On a notification (often a DM, outside the server): show the claim privately."""

    def __init__(self, guild_id: int, claim_id: int) -> None:
        self.guild_id, self.claim_id = guild_id, claim_id
        super().__init__(
            discord.ui.Button(
                label=f"Show #{claim_id}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cd:show:{guild_id}:{claim_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowButton:
        return cls(int(match["guild"]), int(match["claim"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)

        async def work() -> Reply:
            actor = reader_from(interaction, self.guild_id)
            detail = await client.service.show(actor, self.claim_id)
            return Reply(embed=render.claim_embed(detail), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)
