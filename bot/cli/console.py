"""`claimdesk console`: the local console, one command (-c) or typed lines."""

from __future__ import annotations

import argparse
import asyncio
import getpass

from rich.console import Console

from bot.adapters.console.deliver import ConsoleDeliverer
from bot.adapters.console.session import ConsoleSession, console_actor
from bot.bootstrap import (
    CONSOLE_MODERATOR_ROLE,
    Claimdesk,
    console_workspace,
)
from bot.cli.output import errors_console
from bot.cli.parser import MODEL_WAIT_ONE_SHOT
from bot.cli.seed import seed
from bot.core.notifications.dispatcher import Dispatcher

# A one-off console command embeds what is waiting first when it is this little (seeds, a few
# added claims); a larger backlog is left to `claimdesk embed` or the running bot.
ONE_SHOT_BACKFILL = 2000


async def console(app: Claimdesk, args: argparse.Namespace, out: Console) -> int:
    config = app.config
    workspace = console_workspace(config)
    if config.seeds.load_into_console and not getattr(args, "no_seed", False):
        await seed(app, config.seeds.resolved_path(), workspace, out, quiet=True)
    name = getattr(args, "user", None) or config.console.user or getpass.getuser()
    actor = console_actor(
        workspace,
        name,
        moderator=getattr(args, "moderator", False),
        moderator_role=CONSOLE_MODERATOR_ROLE,
    )
    dispatcher = Dispatcher(app.store, [ConsoleDeliverer(out)], app.clock)
    session = ConsoleSession(app.commands, actor, out, dispatcher)
    commands = getattr(args, "commands", [])
    if commands:
        await catch_up_embeddings(app, out)
        await session.deliver_mine()
        ok = True
        for line in commands:
            ok = await session.execute(line) and ok
        return 0 if ok else 1
    stop = asyncio.Event()
    worker = asyncio.create_task(app.embedding.run(stop), name="embedding")
    try:
        await session.interactive()
    finally:
        stop.set()
        await worker
    return 0


async def catch_up_embeddings(app: Claimdesk, out: Console) -> None:
    """Before a one-off command: let the model load (briefly) and embed a small backlog, so the
    command matches by meaning as the running bot would."""
    if not await app.semantic.wait_loaded(MODEL_WAIT_ONE_SHOT):
        return  # the model's own notice says why (logged once)
    queued = (await app.store.embedding_counts()).queued
    if queued > ONE_SHOT_BACKFILL:
        errors_console().print(
            f"{queued:,} claims are not embedded yet and are matched by their words only;"
            " run `claimdesk embed` to embed them."
        )
        return
    await app.embedding.drain()
