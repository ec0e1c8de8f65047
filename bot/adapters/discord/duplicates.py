"""The "looks like a claim we already have" prompt of /claim add: Add anyway, or Cancel.

What "Add anyway" would add waits in memory (``PendingAdds``) under a random key the buttons
carry; the buttons themselves are DynamicItems, so a press is answered even when the bot no
longer holds the add (it restarted, or the prompt expired): nothing is added, and the person is
told to run the command again. Only the author may decide, and an add is done at most once.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

import discord

from bot.adapters.discord.respond import Reply, answer

if TYPE_CHECKING:
    from bot.adapters.discord.app import ClaimdeskDiscord

# How long "Add anyway" keeps what it would add.
PROMPT_SECONDS = 600.0
EXPIRED = (
    "This prompt has expired (or Claimdesk restarted since): nothing was added. "
    "Run /claim add again to add it."
)
NOT_YOURS = "Only the person who added the claim can decide."


class PendingAdds:
    """Adds waiting for their author's "Add anyway", by key; each can be taken once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._waiting: dict[str, tuple[float, Callable[[], Awaitable[Reply]]]] = {}

    def put(self, add: Callable[[], Awaitable[Reply]]) -> str:
        now = self._clock()
        for key in [k for k, (at, _) in self._waiting.items() if now - at > PROMPT_SECONDS]:
            del self._waiting[key]
        key = secrets.token_hex(6)
        self._waiting[key] = (now, add)
        return key

    def take(self, key: str) -> Callable[[], Awaitable[Reply]] | None:
        found = self._waiting.pop(key, None)
        if found is None or self._clock() - found[0] > PROMPT_SECONDS:
            return None
        return found[1]


def _client(interaction: discord.Interaction) -> ClaimdeskDiscord:
    return cast("ClaimdeskDiscord", interaction.client)


class _DecideButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"$^"):
    """What both buttons share: the author and the pending add's key, in the custom id."""

    ACTION: ClassVar[str]
    LABEL: ClassVar[str]
    STYLE: ClassVar[discord.ButtonStyle]

    def __init__(self, author_id: int, key: str) -> None:
        self.author_id, self.key = author_id, key
        super().__init__(
            discord.ui.Button(
                label=self.LABEL,
                style=self.STYLE,
                custom_id=f"cd:dup:{self.ACTION}:{author_id}:{key}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls(int(match["author"]), match["key"])

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id != self.author_id:
            await interaction.response.send_message(NOT_YOURS, ephemeral=True)
            return False
        return True


class AddAnywayButton(_DecideButton, template=r"cd:dup:add:(?P<author>[0-9]+):(?P<key>[0-9a-f]+)"):
    ACTION, LABEL, STYLE = "add", "Add anyway", discord.ButtonStyle.primary

    async def callback(self, interaction: discord.Interaction) -> None:
        client = _client(interaction)
        add = client.pending_adds.take(self.key)
        if add is None:
            await interaction.response.edit_message(content=EXPIRED, embed=None, view=None)
            return
        await answer(interaction, add(), defer_after=client.defer_after, ephemeral=False)


class CancelAddButton(_DecideButton, template=r"cd:dup:no:(?P<author>[0-9]+):(?P<key>[0-9a-f]+)"):
    ACTION, LABEL, STYLE = "no", "Cancel", discord.ButtonStyle.secondary

    async def callback(self, interaction: discord.Interaction) -> None:
        _client(interaction).pending_adds.take(self.key)
        await interaction.response.edit_message(
            content="Cancelled: nothing was added.", embed=None, view=None
        )


def duplicate_prompt(
    client: ClaimdeskDiscord, author_id: int, add: Callable[[], Awaitable[Reply]]
) -> discord.ui.View:
    """The prompt's buttons, with ``add`` kept until the author decides."""
    key = client.pending_adds.put(add)
    view = discord.ui.View(timeout=None)
    view.add_item(AddAnywayButton(author_id, key))
    view.add_item(CancelAddButton(author_id, key))
    return view
