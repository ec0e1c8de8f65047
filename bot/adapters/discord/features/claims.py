"""/claim …: search, show, add, source, verify/dispute/unverify, history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.autocomplete import claim_choices, tag_choices
from bot.adapters.discord.components import search_view
from bot.adapters.discord.duplicates import duplicate_prompt
from bot.adapters.discord.moderation import claim_view, status_changed_reply
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.models import Actor, Status

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

StatusChoice = Literal["unverified", "verified", "disputed"]
StanceChoice = Literal["supports", "refutes", "context"]


@app_commands.guild_only()
class ClaimCommands(app_commands.Group, name="claim", description="Look up and check claims"):
    def __init__(self, client: ClaimdeskDiscord) -> None:
        super().__init__()
        self.client = client

    async def _answer(
        self,
        interaction: discord.Interaction,
        reply_for: Callable[[Actor], Awaitable[Reply]],
        *,
        ephemeral: bool,
    ) -> None:
        """Build the actor, run ``reply_for(actor)``, answer on time (see respond.answer)."""

        async def work() -> Reply:
            return await reply_for(actor_from(interaction))

        await answer(interaction, work(), defer_after=self.client.defer_after, ephemeral=ephemeral)

    # ------------------------------------------------------------------ reading
    @app_commands.command(description="Search stored claims")
    @app_commands.describe(
        query='Words to look for ("quoted phrase", word* prefix)',
        status="Only claims with this status",
        tag="Only claims with this tag",
        page="Page of results",
        share="Post the results in the channel instead of only to you",
    )
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 300],
        status: StatusChoice | None = None,
        tag: str | None = None,
        page: app_commands.Range[int, 1, 1000] = 1,
        share: bool = False,
    ) -> None:
        async def reply_for(actor: Actor) -> Reply:
            command = g.Search(query, status, tag, page)
            result = (await self.client.commands.ask(actor, command, r.SearchReply)).page
            return Reply(
                embed=render.search_embed(query, status, tag, result),
                view=search_view(query, status, tag, result),
                ephemeral=not share,
            )

        await self._answer(interaction, reply_for, ephemeral=not share)

    @app_commands.command(description="Show a claim with its sources and latest changes")
    @app_commands.describe(claim="Claim id (#12) or words from it", share="Post it in the channel")
    async def show(self, interaction: discord.Interaction, claim: str, share: bool = False) -> None:
        async def reply_for(actor: Actor) -> Reply:
            shown = await self.client.commands.ask(actor, g.Show(claim), r.ClaimReply)
            detail = shown.detail
            return Reply(
                embed=render.claim_embed(detail),
                # Public messages carry the buttons so any moderator in the channel can act;
                # a non-moderator pressing one is refused there.
                view=claim_view(detail, with_moderation=share or shown.viewer_is_moderator),
                ephemeral=not share,
            )

        await self._answer(interaction, reply_for, ephemeral=not share)

    @app_commands.command(description="Every change to a claim: old → new status, who, when, why")
    @app_commands.describe(claim="Claim id (#12) or words from it", share="Post it in the channel")
    async def history(
        self, interaction: discord.Interaction, claim: str, share: bool = False
    ) -> None:
        async def reply_for(actor: Actor) -> Reply:
            found = await self.client.commands.ask(actor, g.History(claim), r.HistoryReply)
            return Reply(
                embed=render.history_embed(found.claim_id, list(found.entries)),
                ephemeral=not share,
            )

        await self._answer(interaction, reply_for, ephemeral=not share)

    # ------------------------------------------------------------------ writing
    @app_commands.command(description="Add a claim to check (starts unverified)")
    @app_commands.describe(
        text="The claim, as made",
        claimant="Who made the claim",
        tags="Comma-separated tags, e.g. kursk,russia",
        source="A link to where the claim was made or reported",
        stance="How that source bears on the claim",
        date="When it was claimed: YYYY, YYYY-MM or YYYY-MM-DD",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        claimant: app_commands.Range[str, 1, 120] | None = None,
        tags: str | None = None,
        source: str | None = None,
        stance: StanceChoice | None = None,
        date: str | None = None,
    ) -> None:
        async def store(actor: Actor, force: bool) -> Reply:
            outcome = await self.client.commands.run(
                actor, g.Add(text, claimant, tags, source, stance, date, force)
            )
            if isinstance(outcome, r.AddedReply):
                number = outcome.claim.id
                return Reply(
                    content=f"**{render.safe(actor.display_name, 80)}** added claim **#{number}**",
                    embed=render.claim_embed(outcome.detail),
                )
            if not isinstance(outcome, r.DuplicateReply):
                raise TypeError(f"Add gave {type(outcome).__name__}")
            lines = render.tiered_lines(list(outcome.candidates), duplicate=True)
            return Reply(
                content=f"Not added yet.\n{lines}\nAdd it anyway?"[:2000],
                view=duplicate_prompt(self.client, interaction.user.id, lambda: store(actor, True)),
                ephemeral=True,
            )

        await self._answer(interaction, lambda actor: store(actor, False), ephemeral=False)

    @app_commands.command(description="Add evidence to a claim")
    @app_commands.describe(
        claim="Claim id (#12) or words from it",
        url="Link to the source (http/https)",
        stance="Does it support or refute the claim, or give context?",
        note="What the source says, in a sentence",
    )
    async def source(
        self,
        interaction: discord.Interaction,
        claim: str,
        url: app_commands.Range[str, 1, 2000],
        stance: StanceChoice = "context",
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        async def reply_for(actor: Actor) -> Reply:
            command = g.AddSource(claim, url, stance, note)
            done = await self.client.commands.ask(actor, command, r.SourceReply)
            added, detail = done.source, done.detail
            return Reply(
                content=(
                    f"**{render.safe(actor.display_name, 80)}** added a source to **#{detail.claim.id}** "
                    f"({added.stance.value}, {render.safe(added.outlet, 60)})"
                ),
                embed=render.claim_embed(detail),
            )

        await self._answer(interaction, reply_for, ephemeral=False)

    async def _change(
        self, interaction: discord.Interaction, claim: str, status: Status, reason: str
    ) -> None:
        async def reply_for(actor: Actor) -> Reply:
            command = g.ChangeStatus(claim, status, reason)
            changed = await self.client.commands.ask(actor, command, r.StatusReply)
            return status_changed_reply(actor.display_name, changed.detail, reason)

        await self._answer(interaction, reply_for, ephemeral=False)

    @app_commands.command(description="Moderators: mark a claim verified")
    @app_commands.describe(
        claim="Claim id (#12) or words from it", reason="Why (kept in the history)"
    )
    async def verify(
        self, interaction: discord.Interaction, claim: str, reason: app_commands.Range[str, 1, 500]
    ) -> None:
        await self._change(interaction, claim, Status.VERIFIED, reason)

    @app_commands.command(description="Moderators: mark a claim disputed")
    @app_commands.describe(
        claim="Claim id (#12) or words from it", reason="Why (kept in the history)"
    )
    async def dispute(
        self, interaction: discord.Interaction, claim: str, reason: app_commands.Range[str, 1, 500]
    ) -> None:
        await self._change(interaction, claim, Status.DISPUTED, reason)

    @app_commands.command(description="Moderators: mark a claim unverified again")
    @app_commands.describe(
        claim="Claim id (#12) or words from it", reason="Why (kept in the history)"
    )
    async def unverify(
        self, interaction: discord.Interaction, claim: str, reason: app_commands.Range[str, 1, 500]
    ) -> None:
        await self._change(interaction, claim, Status.UNVERIFIED, reason)

    # ------------------------------------------------------------- autocomplete
    @show.autocomplete("claim")
    @history.autocomplete("claim")
    @source.autocomplete("claim")
    @verify.autocomplete("claim")
    @dispute.autocomplete("claim")
    @unverify.autocomplete("claim")
    async def claim_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await claim_choices(self.client.commands, interaction, current)

    @search.autocomplete("tag")
    async def tag_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await tag_choices(self.client.commands, interaction, current)
