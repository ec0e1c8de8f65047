"""Console delivery: a notification for the person at the console is printed there.

Notifications for other console users wait in the outbox until they open the console.
"""

from __future__ import annotations

from rich.console import Console

from bot.adapters.console.render import render_notification
from bot.core.notifications.models import Notification


class ConsoleDeliverer:
    platform = "console"
    rate_per_second = 1000.0

    def __init__(self, out: Console) -> None:
        self._out = out

    async def deliver(self, notification: Notification) -> None:
        self._out.print(render_notification(notification))

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        self._out.print(f"Claimdesk could not reach {user_id}: {reason}")
