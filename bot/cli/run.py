"""`claimdesk run`: serve the configured chat front ends (the console without a token)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from rich.console import Console
from rich.markup import escape

from bot.bootstrap import (
    Claimdesk,
)
from bot.cli.console import console
from bot.cli.output import errors_console
from bot.runtime import FrontEnd, Unreachable, run_front_ends


async def run(app: Claimdesk, args: argparse.Namespace, out: Console) -> int:
    config = app.config
    front_ends: list[FrontEnd] = []
    if config.discord.token is not None:
        from bot.adapters.discord.serve import DiscordFrontEnd  # imported only when used

        front_ends.append(DiscordFrontEnd(app.commands, config.discord))
    if config.slack.bot_token is not None:
        from bot.adapters.slack.serve import SlackFrontEnd  # imported only when used

        front_ends.append(SlackFrontEnd(app.commands, config.slack))
    if not front_ends:
        out.print(
            "No chat token configured (DISCORD_TOKEN, SLACK_BOT_TOKEN): opening the local console."
        )
        return await console(app, args, out)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_front_ends(
            app.service,
            app.store,
            app.clock,
            front_ends,
            stop,
            config.notifications,
            background=[app.embedding.run],
            foreground=app.commands.foreground,
        )
    except* Unreachable as group:
        unreachable = group.exceptions
    else:
        return 0
    errors = errors_console()
    for error in unreachable:
        errors.print(f"[red]Error[/]: {escape(str(error))}")
    return 1
