"""The command line's grammar: its subcommands and options, and the configuration they load."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import (
    Config,
    default_config_path,
    load_config,
)

# How long one-off commands wait for the embedding model before matching by words alone; the
# bot and the interactive console never wait (they match by words until it is ready).
MODEL_WAIT_ONE_SHOT = 20.0
MODEL_WAIT_EMBED = 300.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimdesk", description="Claim verification desk for newsroom chat."
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default: $CLAIMDESK_CONFIG or ./config.toml)"
    )
    parser.add_argument(
        "--db",
        help="the store to use instead of the configured one: a SQLite file, or a PostgreSQL"
        " address (postgresql://user@host/database)",
    )
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("run", help="start the configured chat bots; with no token, the local console")

    console = sub.add_parser("console", help="the local console")
    console.add_argument(
        "-c",
        "--command",
        dest="commands",
        action="append",
        default=[],
        metavar="COMMAND",
        help="run one command and exit (repeatable)",
    )
    console.add_argument("--as", dest="user", metavar="NAME", help="who you are in the console")
    console.add_argument("--moderator", action="store_true", help="act as a moderator")
    console.add_argument("--workspace", help="console workspace name (default from config)")
    console.add_argument("--no-seed", action="store_true", help="do not import seeds/ first")

    seed = sub.add_parser("seed", help="import a seed folder (idempotent)")
    seed.add_argument("path", nargs="?", type=Path, help="seed folder (default: seeds/)")
    seed.add_argument(
        "--workspace", help="workspace id, e.g. discord:1234 (default: the console's)"
    )

    load = sub.add_parser("import", help="import published fact-checks")
    load.add_argument("format", choices=["claimreview"])
    load.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, folders, or - for standard input"
    )
    load.add_argument(
        "--workspace", help="workspace id, e.g. discord:1234 (default: the console's)"
    )

    export = sub.add_parser(
        "export", help="publish the desk's checks; matches: the members' verdicts on checks"
    )
    export.add_argument("format", choices=["claimreview", "csv", "site", "matches"])
    export.add_argument("folder", nargs="?", type=Path, help="site: the folder to write it in")
    export.add_argument(
        "--workspace", help="workspace id, e.g. discord:1234 (default: the console's)"
    )
    export.add_argument(
        "--status",
        default=None,
        help="statuses to export, comma-separated (default: verified,disputed for ClaimReview,"
        " every status for CSV)",
    )
    export.add_argument("--since", help="only verdicts from this date on (YYYY-MM-DD)")
    export.add_argument(
        "--include",
        default="",
        metavar="imported,seeds",
        help="also publish verdicts the newsroom did not make: imported (published fact-checks,"
        " credited to their publisher at their own address) and seeds (the demo claims); CSV,"
        " the desk's own file, has every verdict and says whose each is",
    )
    export.add_argument("--out", type=Path, help="write here instead of standard output")

    audit = sub.add_parser("audit", help="check the tamper-evident history")
    audit.add_argument("action", choices=["verify"])

    sub.add_parser(
        "migrate", help="create or upgrade the store's schema, then exit (before a deploy)"
    )
    copy = sub.add_parser("copy", help="move a desk from its SQLite file to PostgreSQL")
    copy.add_argument(
        "--from",
        dest="source",
        metavar="sqlite:PATH",
        help="the SQLite file (default: the configured store, storage.path)",
    )
    copy.add_argument(
        "--to", dest="target", required=True, metavar="postgresql://…", help="an empty database"
    )

    embed = sub.add_parser(
        "embed", help="embed every claim still waiting (the bot does it in the background)"
    )
    embed.add_argument(
        "--wait",
        type=float,
        default=MODEL_WAIT_EMBED,
        metavar="SECONDS",
        help=f"how long to wait for the model to load (default {MODEL_WAIT_EMBED:.0f})",
    )

    check = sub.add_parser(
        "check",
        help="has this been checked? exit 0: a confident match, 1: none, 2: an error",
    )
    check.add_argument("text", nargs="?", help="the message to check; - reads it from stdin")
    check.add_argument(
        "--workspace", help="workspace id, e.g. discord:1234 (default: the console's)"
    )
    check.add_argument(
        "--json", action="store_true", help='print {"matches": [{"id", "tier", "score", "why"}]}'
    )
    check.add_argument(
        "--each",
        type=Path,
        metavar="FILE",
        help="check every line of FILE (- for stdin) as its own message: one JSON object a line",
    )
    return parser


def load(args: argparse.Namespace) -> Config:
    config = load_config(args.config or default_config_path())
    if args.db:
        config = config.with_database(args.db)
    if getattr(args, "workspace", None) and args.command == "console":
        config = config.model_copy(
            update={"console": config.console.model_copy(update={"workspace": args.workspace})}
        )
    return config


def secrets_of(config: Config) -> list[str]:
    values = [
        config.discord.token,
        config.slack.bot_token,
        config.slack.app_token,
        config.slack.signing_secret,
        config.factcheck.api_key,
        config.storage.url,
    ]
    secrets = [v.get_secret_value() for v in values if v is not None]
    database = config.storage.database_url()
    if database and urlsplit(database).password:
        secrets.append(str(urlsplit(database).password))  # as a driver's error may quote it
    return secrets
