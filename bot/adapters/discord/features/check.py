"""The "Check claims" message menu: which stored claims does this message repeat? Under the
answer, a "Yes, #N" and a "Not #N" button for each match: DynamicItems carrying the check and
the claim, so a press is answered after a restart too (the check is kept in the store). A check
that found nothing for sure offers "Send to the desk" (features/desk.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.features.desk import SendToDeskButton
from bot.adapters.discord.respond import Reply, answer
from bot.core.commands.grammar import Check, GiveVerdict
from bot.core.commands.replies import CheckReply, VerdictReply
from bot.core.models import Verdict
from bot.core.presentation import verdict_text

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

_CODE = {Verdict.CONFIRMED: "y", Verdict.REJECTED: "n"}


class VerdictButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"cd:vd:(?P<check>[0-9]+):(?P<claim>[0-9]+):(?P<verdict>[yn])",
):
    def __init__(self, check_id: int, claim_id: int, verdict: Verdict) -> None:
        self.check_id, self.claim_id, self.verdict = check_id, claim_id, verdict
        yes = verdict is Verdict.CONFIRMED
        super().__init__(
            discord.ui.Button(
                label=f"Yes, #{claim_id}" if yes else f"Not #{claim_id}",
                style=discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary,
                custom_id=f"cd:vd:{check_id}:{claim_id}:{_CODE[verdict]}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VerdictButton:
        verdict = next(v for v, code in _CODE.items() if code == match["verdict"])
        return cls(int(match["check"]), int(match["claim"]), verdict)

    async def callback(self, interaction: discord.Interaction) -> None:
        client = cast("ClaimdeskDiscord", interaction.client)

        async def work() -> Reply:
            command = GiveVerdict(str(self.check_id), str(self.claim_id), self.verdict)
            reply = await client.commands.ask(actor_from(interaction), command, VerdictReply)
            return Reply(content=verdict_text(reply.given), ephemeral=True)

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)


def verdict_buttons(reply: CheckReply) -> discord.ui.View | None:
    """A row of "Yes" buttons over a row of "Not" buttons, one of each per match (five at
    most, as a row holds); under a check that found nothing for sure, "Send to the desk"."""
    if reply.check_id is None:
        return None
    view = discord.ui.View(timeout=None)
    for row, verdict in enumerate((Verdict.CONFIRMED, Verdict.REJECTED)):
        for match in reply.matches[:5]:
            button = VerdictButton(reply.check_id, match.id, verdict)
            button.item.row = row
            view.add_item(button)
    if reply.may_send_to_desk:
        desk = SendToDeskButton(reply.check_id)
        desk.item.row = 2
        view.add_item(desk)
    return view if view.children else None


def check_claims_menu(client: ClaimdeskDiscord) -> app_commands.ContextMenu:
    async def check_claims(interaction: discord.Interaction, message: discord.Message) -> None:
        async def work() -> Reply:
            # The interaction carries the message's content, so no message-content intent is needed.
            text = " ".join([message.content, *(e.description or "" for e in message.embeds)])
            command = Check(text, link=message.jump_url, channel=str(message.channel.id))
            reply = await client.commands.ask(actor_from(interaction), command, CheckReply)
            return Reply(
                embed=render.matches_embed(list(reply.matches)),
                view=verdict_buttons(reply),
                ephemeral=True,
            )

        await answer(interaction, work(), defer_after=client.defer_after, ephemeral=True)

    menu = app_commands.ContextMenu(name="Check claims", callback=check_claims)
    menu.guild_only = True
    return menu
