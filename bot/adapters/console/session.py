"""A console user's session: one actor, one command runner, one terminal."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from bot.adapters.console.render import render, render_error
from bot.core.commands import CommandRunner
from bot.core.commands.replies import refused
from bot.core.errors import ClaimdeskError
from bot.core.models import Actor
from bot.core.notifications.dispatcher import Dispatcher
from bot.core.presentation import apology

log = logging.getLogger(__name__)

PROMPT = "claimdesk> "
WELCOME = (
    "Claimdesk console — workspace {workspace}, you are {name}{role}.\n"
    "Type /claim help for the commands, /claim search kursk to start, quit to leave."
)


def console_actor(workspace: str, name: str, *, moderator: bool, moderator_role: str) -> Actor:
    return Actor(
        workspace=workspace,
        user_id=f"console:{name}",
        display_name=name,
        role_ids=frozenset({moderator_role}) if moderator else frozenset(),
    )


class ConsoleSession:
    def __init__(
        self,
        runner: CommandRunner,
        actor: Actor,
        out: Console,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self._runner = runner
        self._actor = actor
        self._out = out
        self._dispatcher = dispatcher

    async def deliver_mine(self) -> None:
        """Print what is waiting for this console user (their mailbox)."""
        if self._dispatcher is not None:
            # Keyed by workspace too: Rita of console:alpha is not Rita of console:beta.
            while await self._dispatcher.deliver_due(
                recipient=self._actor.user_id, workspace=self._actor.workspace
            ):
                pass

    async def execute(self, line: str) -> bool:
        """Run one line and print the answer; returns False when the command was refused."""
        try:
            reply = await self._runner.run_line(self._actor, line)
        except ClaimdeskError as error:
            self._out.print(render_error(error))
            return False
        except Exception:
            reference = uuid.uuid4().hex[:12]
            log.exception("command %r failed (reference %s)", line, reference)
            self._out.print(f"[red]✖[/] {escape(apology(reference))}")
            return False
        self._out.print(render(reply))
        await self.deliver_mine()
        return not refused(reply)

    async def interactive(self, read_line: Callable[[str], str] = input) -> None:
        moderator = " (moderator)" if self._actor.role_ids else ""
        self._out.print(
            WELCOME.format(
                workspace=self._actor.workspace, name=self._actor.display_name, role=moderator
            )
        )
        await self.deliver_mine()
        while True:
            try:
                line = await asyncio.to_thread(read_line, PROMPT)
            except (EOFError, KeyboardInterrupt):
                self._out.print()
                return
            line = line.strip()
            if not line:
                continue
            if line.lower() in {"quit", "exit", ":q"}:
                return
            await self.execute(line)
