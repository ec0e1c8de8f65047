"""Run the configured chat front ends and the one notification dispatcher they share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Any, Protocol

from bot.config import NotificationsConfig
from bot.core.foreground import Foreground
from bot.core.notifications.dispatcher import Deliverer, Dispatcher, DispatchStore
from bot.core.ports import Clock
from bot.core.service import ClaimService

log = logging.getLogger(__name__)


class Unreachable(Exception):
    """A front end could not reach its platform, or was refused by it, at start: the message
    says which platform and why, in one line, for the operator."""


class FrontEnd(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def deliverer(self) -> Deliverer: ...

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; raise Unreachable if the platform cannot be reached or
        refuses the credentials."""
        ...


async def run_front_ends(
    service: ClaimService,
    store: DispatchStore,
    clock: Clock,
    front_ends: list[FrontEnd],
    stop: asyncio.Event,
    settings: NotificationsConfig | None = None,
    *,
    background: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
    foreground: Foreground | None = None,
) -> None:
    """Serve until ``stop``; ``background`` jobs (the embedding worker) run beside, until stop.
    Notifications wait while a command of ``foreground`` (the command runner's) is answered."""
    settings = settings or NotificationsConfig()
    dispatcher = Dispatcher(
        store,
        [f.deliverer for f in front_ends],
        clock,
        lease=timedelta(seconds=settings.lease_seconds),
        give_up_after=timedelta(hours=settings.give_up_after_hours),
        foreground=foreground,
    )
    service.on_write(dispatcher.wake)
    # A TaskGroup: if one front end fails for good, everything stops and the error surfaces.
    async with asyncio.TaskGroup() as group:
        for front_end in front_ends:
            group.create_task(front_end.serve(stop), name=front_end.name)
        group.create_task(dispatcher.run(stop), name="dispatcher")
        for job in background:
            group.create_task(job(stop), name=getattr(job, "__qualname__", "background"))
    log.info("Claimdesk stopped cleanly")
