"""Parsing and wiring only: which subcommand runs, and how its failures end."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from bot import collector, seeds
from bot.bootstrap import (
    console_workspace,
    open_claimdesk,
)
from bot.cli.audit import audit
from bot.cli.check import check
from bot.cli.console import console
from bot.cli.copy import copy, copy_source
from bot.cli.embed import embed
from bot.cli.export import export
from bot.cli.export_matches import export_matches
from bot.cli.import_reviews import import_reviews
from bot.cli.migrate import migrate
from bot.cli.output import errors_console
from bot.cli.parser import build_parser, load, secrets_of
from bot.cli.run import run
from bot.cli.seed import seed
from bot.config import (
    Config,
    ConfigError,
)
from bot.core.errors import StoreDamaged, StoreUnavailable
from bot.logging_setup import configure_logging


async def _main(args: argparse.Namespace, config: Config, out: Console) -> int:
    if args.command == "migrate":
        return await migrate(config, out)
    if args.command == "copy":
        return await copy(args, config, out)
    async with open_claimdesk(config) as app:
        match args.command:
            case "seed":
                workspace = args.workspace or console_workspace(config)
                return await seed(
                    app, args.path or config.seeds.resolved_path(), workspace, out, quiet=False
                )
            case "audit":
                return await audit(app, out)
            case "export":
                workspace = args.workspace or console_workspace(config)
                if args.format == "matches":
                    return await export_matches(app, workspace, args.out)
                return await export(app, args, workspace, out)
            case "import":
                workspace = args.workspace or console_workspace(config)
                return await import_reviews(app, args.paths, workspace, out)
            case "embed":
                return await embed(app, out, args.wait)
            case "check":
                return await check(app, args, out)
            case "console":
                return await console(app, args, out)
            case _:  # "run"
                return await run(app, args, out)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        args.command = "run"
    # No emoji codes: typed text such as "console:x:" or ":fire:" is shown as typed.
    out = Console(highlight=False, soft_wrap=True, emoji=False)
    try:
        config = load(args)
        if args.command == "copy":
            args.source_path = copy_source(args, config)
    except ConfigError as error:
        errors_console().print(f"[red]Configuration error[/]: {escape(str(error))}")
        return 2
    # A bot serving chat logs to stderr, for its service manager; anything else is a command
    # whose output is its answer (or the console a person types in), so its log goes to a file.
    serves_chat = args.command == "run" and (
        config.discord.token is not None or config.slack.bot_token is not None
    )
    log_file = None if serves_chat else config.logging.resolved_file()
    configure_logging(config.logging.level, secrets_of(config), log_file)
    try:
        collector.tune()
        return asyncio.run(_main(args, config, out))
    except StoreDamaged as error:
        errors_console().print(f"[red]Damaged store[/]: {escape(str(error))}")
        return 2
    except StoreUnavailable as error:
        errors_console().print(f"[red]Error[/]: {escape(str(error))}")
        # check's 1 means "no confident match": an error there must not read as an answer.
        return 2 if args.command == "check" else 1
    except (seeds.SeedError, ConfigError, RuntimeError) as error:
        errors_console().print(f"[red]Error[/]: {escape(str(error))}")
        return 2
    except KeyboardInterrupt:
        return 130
