"""The one place where Claimdesk's parts are built and wired together.

Everything else receives what it needs as arguments; no module builds settings, connections or
clients at import time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config import Config
from bot.core.commands import CommandRunner
from bot.core.models import ModeratorSettings
from bot.core.ports import Clock, SystemClock
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore

CONSOLE_MODERATOR_ROLE = "console-moderator"


def console_workspace(config: Config) -> str:
    return f"console:{config.console.workspace}"


@dataclass
class Claimdesk:
    config: Config
    store: SqliteStore
    service: ClaimService
    commands: CommandRunner
    clock: Clock


def _moderators(config: Config) -> dict[str, ModeratorSettings]:
    moderators = config.moderators()
    # `claimdesk console --moderator` gives the local user this role; it means nothing elsewhere.
    local = console_workspace(config)
    extra = moderators.get(local, ModeratorSettings())
    moderators[local] = ModeratorSettings(
        role_ids=extra.role_ids | {CONSOLE_MODERATOR_ROLE}, user_ids=extra.user_ids
    )
    return moderators


@asynccontextmanager
async def open_claimdesk(config: Config, *, clock: Clock | None = None) -> AsyncIterator[Claimdesk]:
    store = await SqliteStore.open(config.storage.resolved_path())
    clock = clock or SystemClock()
    try:
        service = ClaimService(store, clock, configured_moderators=_moderators(config))
        yield Claimdesk(
            config=config,
            store=store,
            service=service,
            commands=CommandRunner(service),
            clock=clock,
        )
    finally:
        await store.close()
