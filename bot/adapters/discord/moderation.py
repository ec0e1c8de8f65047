"""Moderation from a claim's buttons: the status button, the reason form and its answer.

Nothing here lives in memory between the press and the submit. The button carries the claim,
its revision and the status in its custom id (a DynamicItem); the form carries the same, plus
the press's own interaction id, so every opening of it is unique; and a submitted form is
answered from its custom id by ``answer_reason_form``, which ``ClaimdeskDiscord`` calls for
every form submit. So a form is answered whoever opened it, however many people opened it, and
across a restart of the bot. (A Modal handed to discord.py is kept in memory under its custom
id alone: two moderators opening the same form shared one entry, and the second submit, or any
submit after a restart, was never answered.)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, cast

import discord

from bot.adapters.discord import render
from bot.adapters.discord.actor import actor_from
from bot.adapters.discord.features.desk import TakeButton
from bot.adapters.discord.respond import Reply, answer, guarded
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.models import ClaimDetail, Status
from bot.core.presentation import STATUS_BADGE, STATUS_LABEL

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

REASON_FORM = re.compile(
    r"^cd:reason:(?P<claim>[0-9]+):(?P<version>[0-9]+)"
    r":(?P<status>verified|disputed|unverified):(?P<opened>[0-9]+)$"
)
REASON_INPUT = "reason"


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


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
        # Refuse before asking for a reason: moderators only, and only on the revision the
        # moderator is looking at (a stale button used to open the form and refuse after).
        allowed = await guarded(
            interaction,
            _client(interaction).commands.ask(
                actor_from(interaction),
                g.MayChange(str(self.claim_id), self.version),
                r.MayChangeReply,
            ),
        )
        if allowed is None:
            return
        form = reason_form(self.claim_id, self.version, self.status, opened=interaction.id)
        form.stop()  # answered by answer_reason_form, not kept by discord.py (see above)
        await interaction.response.send_modal(form)


def reason_form(claim_id: int, version: int, status: Status, *, opened: int) -> discord.ui.Modal:
    form = discord.ui.Modal(
        title=f"Mark #{claim_id} {STATUS_LABEL[status].lower()}",
        custom_id=f"cd:reason:{claim_id}:{version}:{status.value}:{opened}",
    )
    form.add_item(
        discord.ui.TextInput(
            label="Reason (goes into the permanent history)",
            custom_id=REASON_INPUT,
            style=discord.TextStyle.paragraph,
            min_length=3,
            max_length=500,
            placeholder="e.g. Two independent sources confirm; see the Reuters link.",
        )
    )
    return form


def _submitted_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """A submitted form's text inputs by custom id (rows, labels and inputs, at any depth)."""
    values: dict[str, str] = {}
    for component in components:
        if "value" in component and "custom_id" in component:
            values[str(component["custom_id"])] = str(component["value"])
        values.update(_submitted_values(component.get("components", [])))
        if isinstance(component.get("component"), dict):
            values.update(_submitted_values([component["component"]]))
    return values


async def answer_reason_form(interaction: discord.Interaction) -> bool:
    """Answer a submitted reason form; False if ``interaction`` is no such submit."""
    data = cast("dict[str, Any]", interaction.data or {})
    match = REASON_FORM.match(str(data.get("custom_id", "")))
    if interaction.type is not discord.InteractionType.modal_submit or match is None:
        return False
    client = _client(interaction)
    reason = _submitted_values(data.get("components", [])).get(REASON_INPUT, "")

    async def work() -> Reply:
        actor = actor_from(interaction)
        change = g.ChangeStatus(
            match["claim"], Status(match["status"]), reason, version=int(match["version"])
        )
        changed = await client.commands.ask(actor, change, r.StatusReply)
        return status_changed_reply(actor.display_name, changed.detail, reason)

    await answer(interaction, work(), defer_after=client.defer_after, ephemeral=False)
    return True


def claim_view(detail: ClaimDetail, *, with_moderation: bool) -> discord.ui.View | None:
    """A claim card's buttons: the moderation ones, and "Take it" while nobody is on it."""
    view = discord.ui.View(timeout=None)
    if with_moderation:
        for status in Status:
            if status is not detail.claim.status:
                view.add_item(StatusButton(detail.claim.id, detail.claim.version, status))
    if detail.claim.assignee is None:
        view.add_item(TakeButton(detail.claim.id))
    return view if view.children else None


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
