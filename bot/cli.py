"""`claimdesk` command line: run, console, seed, import, export, audit verify, embed, migrate,
copy."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from bot import seeds
from bot.adapters.console.deliver import ConsoleDeliverer
from bot.adapters.console.session import ConsoleSession, console_actor
from bot.bootstrap import (
    CONSOLE_MODERATOR_ROLE,
    Claimdesk,
    console_workspace,
    open_claimdesk,
    open_store,
)
from bot.claimreview.reader import Sources
from bot.claimreview.site import write_site
from bot.config import (
    Config,
    ConfigError,
    StorageConfig,
    default_config_path,
    is_database_url,
    load_config,
)
from bot.core.audit import audit_store
from bot.core.errors import StoreDamaged, StoreUnavailable
from bot.core.matching.embedder import ModelState
from bot.core.models import Status
from bot.core.notifications.dispatcher import Dispatcher
from bot.core.presentation import plural
from bot.core.provenance import Origin
from bot.core.publishing import Newsroom, Published, claim_review, csv_row, csv_text, published
from bot.logging_setup import configure_logging
from bot.runtime import FrontEnd, Unreachable, run_front_ends
from bot.store.copying import TargetNotEmpty, copy_sqlite_to_postgres
from bot.store.postgres.store import shown

# How long one-off commands wait for the embedding model before matching by words alone; the
# bot and the interactive console never wait (they match by words until it is ready).
MODEL_WAIT_ONE_SHOT = 20.0
MODEL_WAIT_EMBED = 300.0
# Skipped reviews listed at most after an import (the summary counts them all).
MALFORMED_SHOWN = 20
# A one-off console command embeds what is waiting first when it is this little (seeds, a few
# added claims); a larger backlog is left to `claimdesk embed` or the running bot.
ONE_SHOT_BACKFILL = 2000


def _parser() -> argparse.ArgumentParser:
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

    export = sub.add_parser("export", help="publish the desk's checks")
    export.add_argument("format", choices=["claimreview", "csv", "site"])
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
    return parser


def _load(args: argparse.Namespace) -> Config:
    config = load_config(args.config or default_config_path())
    if args.db:
        config = config.with_database(args.db)
    if getattr(args, "workspace", None) and args.command == "console":
        config = config.model_copy(
            update={"console": config.console.model_copy(update={"workspace": args.workspace})}
        )
    return config


def _secrets(config: Config) -> list[str]:
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


async def _seed(app: Claimdesk, path: Path, workspace: str, out: Console, *, quiet: bool) -> int:
    found = seeds.find_seeds(path)
    total = sum(len(s.spec.claims) for s in found)
    if quiet:
        stats = await seeds.import_seeds(app.service, workspace, found)
    else:
        with Progress(
            TextColumn("Importing seeds"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=out,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=total)
            stats = await seeds.import_seeds(
                app.service,
                workspace,
                found,
                progress=lambda done, _total, key: bar.update(
                    task, completed=done, description=key
                ),
            )
        out.print(
            f"Seeds: {stats.claims_added} claims added, {stats.claims_present} already present, "
            f"{stats.sources_added} sources added ({len(found)} articles) into {workspace}."
        )
    return 0


async def _console(app: Claimdesk, args: argparse.Namespace, out: Console) -> int:
    config = app.config
    workspace = console_workspace(config)
    if config.seeds.load_into_console and not getattr(args, "no_seed", False):
        await _seed(app, config.seeds.resolved_path(), workspace, out, quiet=True)
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
        await _catch_up_embeddings(app, out)
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


async def _catch_up_embeddings(app: Claimdesk, out: Console) -> None:
    """Before a one-off command: let the model load (briefly) and embed a small backlog, so the
    command matches by meaning as the running bot would."""
    if not await app.semantic.wait_loaded(MODEL_WAIT_ONE_SHOT):
        return  # the model's own notice says why (logged once)
    queued = (await app.store.embedding_counts()).queued
    if queued > ONE_SHOT_BACKFILL:
        _errors().print(
            f"{queued:,} claims are not embedded yet and are matched by their words only;"
            " run `claimdesk embed` to embed them."
        )
        return
    await app.embedding.drain()


async def _embed(app: Claimdesk, out: Console, wait: float) -> int:
    if not await app.semantic.wait_loaded(wait, download=True):
        still = app.semantic.state is ModelState.LOADING
        when = f"after {wait:.0f} s, " if still else ""
        _errors().print(
            f"[red]Cannot embed[/]: {when}semantic matching is {app.semantic.describe()}."
            + (" Run it again with a longer --wait." if still else "")
        )
        return 2
    counts = await app.store.embedding_counts()
    start = time.perf_counter()
    with Progress(
        TextColumn("Embedding claims"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=out,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=counts.queued)
        done = await app.embedding.drain(
            lambda n, total: bar.update(task, completed=n, total=total)
        )
    seconds = max(time.perf_counter() - start, 1e-9)
    out.print(
        f"Embedded {plural(done, 'claim')} in {seconds:.1f} s ({done / seconds:,.0f} a second);"
        f" {counts.embedded + done:,} claims are embedded."
    )
    return 0


async def _import_reviews(app: Claimdesk, paths: list[str], workspace: str, out: Console) -> int:
    importer = app.importer
    sources = Sources(paths, sys.stdin.buffer)
    total = sources.total_bytes
    columns = (
        [SpinnerColumn(), TextColumn("{task.description}")]
        if total is None  # standard input: how much is coming is unknown
        else [TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn()]
    )
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task("reading reviews…", total=total)

        def progress(reviews: int) -> None:
            bar.update(task, completed=sources.bytes_read, description=f"{reviews:,} reviews")

        report = await importer.run(workspace, sources, progress=progress)
    out.print(
        f"Read {plural(report.reviews_read, 'review')} into {workspace}: "
        f"{plural(report.claims_added, 'new claim')}"
        f" ({plural(report.grouped, 'further review')} of the same claims), "
        f"{report.attached:,} added to claims already here, "
        f"{report.already_here:,} imported before, {len(report.malformed):,} skipped."
    )
    for problem in report.malformed[:MALFORMED_SHOWN]:
        out.print(f"  skipped {problem.position}: {problem.reason}")
    if len(report.malformed) > MALFORMED_SHOWN:
        out.print(f"  … and {len(report.malformed) - MALFORMED_SHOWN:,} more")
    nothing = report.reviews_read and len(report.malformed) == report.reviews_read
    return 1 if nothing else 0


async def _export(app: Claimdesk, args: argparse.Namespace, workspace: str, out: Console) -> int:
    wanted = args.status or ("" if args.format == "csv" else "verified,disputed")
    try:
        statuses = [Status(s.strip()) for s in wanted.split(",") if s.strip()] or list(Status)
        since = datetime.fromisoformat(args.since).replace(tzinfo=UTC) if args.since else None
    except ValueError as error:
        raise ConfigError(f"--status or --since: {error}") from None
    newsroom = Newsroom(app.config.newsroom.name, app.config.newsroom.site)
    if args.format == "site" and args.folder is None:
        raise ConfigError("export site: say which folder to write the site in")
    if args.format in ("claimreview", "site") and not (newsroom.name and newsroom.site):
        raise ConfigError(_no_newsroom(args))
    origins = _origins(args)
    items: list[Published] = []
    left_out: Counter[Origin] = Counter()
    async for item in published(app.store, workspace, statuses, since, origins=list(Origin)):
        if item.origin in origins:
            items.append(item)
        else:
            left_out[item.origin] += 1
    if left_out:
        kinds = " and ".join(plural(n, LEFT_OUT[o]) for o, n in sorted(left_out.items()))
        _errors().print(
            f"Left out {kinds} (the newsroom's own verdicts only; --include"
            f" {','.join(sorted(INCLUDE[o] for o in left_out))} publishes them)."
        )
    if args.format == "site":
        pages = write_site(args.folder, items, newsroom)
        out.print(f"Wrote a site of {plural(pages, 'claim page')} and an index to {args.folder}.")
        return 0
    if args.format == "claimreview":
        text = json.dumps([claim_review(i, newsroom) for i in items], ensure_ascii=False, indent=2)
    else:
        text = csv_text([csv_row(i, newsroom if newsroom.site else None) for i in items])
    if args.out:
        args.out.write_text(text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8")
        _errors().print(f"Wrote {plural(len(items), 'claim')} to {args.out}.")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


# Verdicts an export leaves out unless --include names them, as the notice counts them.
INCLUDE = {Origin.IMPORTED: "imported", Origin.SEED: "seeds"}
LEFT_OUT = {Origin.IMPORTED: "imported verdict", Origin.SEED: "seeded demo verdict"}


def _origins(args: argparse.Namespace) -> set[Origin]:
    """Whose verdicts the export publishes: the newsroom's own, and those --include names."""
    if args.format == "csv":
        return set(Origin)  # the desk's own file: every verdict, each saying whose it is
    chosen = {Origin.DESK}
    names = {name: origin for origin, name in INCLUDE.items()}
    for word in (w.strip().lower() for w in args.include.split(",")):
        if not word:
            continue
        if word not in names:
            raise ConfigError(f"--include: '{word}' is not one of {', '.join(sorted(names))}")
        chosen.add(names[word])
    return chosen


def _no_newsroom(args: argparse.Namespace) -> str:
    """What to write, and where, before the desk's checks can be published."""
    path = args.config or default_config_path()
    where = (
        f"in {path}"
        if path is not None
        else "in a file config.toml in this folder (or the file --config or CLAIMDESK_CONFIG names)"
    )
    return (
        f"export {args.format} needs the newsroom that publishes the checks: a ClaimReview names"
        f" its publisher and the page of each check. Add {where}:\n\n"
        '[newsroom]\nname = "Example Checks"\nsite = "https://checks.example.org"\n\n'
        "(your newsroom's name, and the https address where the site will be served)"
    )


async def _audit(app: Claimdesk, out: Console) -> int:
    report = await audit_store(app.store)
    for workspace, seq, head in report.heads:
        out.print(f"{workspace}: {seq} entries, head {head[:16] or '-'}")
    if report.ok:
        out.print(
            f"[green]OK[/]: {plural(report.entries_checked, 'history entry', 'history entries')} "
            f"in {plural(report.workspaces_checked, 'workspace')} match their hashes."
        )
        return 0
    for problem in report.problems:
        out.print(f"[red]TAMPERED[/] {problem.workspace}: {problem.message}")
    return 2


async def _migrate(config: Config, out: Console) -> int:
    store = await open_store(config.storage)  # opening creates or upgrades the schema
    try:
        version = await store.schema_version()
        applied = store.migrated_on_open
    finally:
        await store.close()
    url = config.storage.database_url()
    where = shown(url) if url else str(config.storage.resolved_path())
    if applied and applied[0] == 1:
        out.print(f"Created the store at {where} (schema version {version}).")
    elif applied:
        out.print(
            f"Upgraded the store at {where} from schema version {applied[0] - 1} to {version}."
        )
    else:
        out.print(f"The store at {where} is up to date (schema version {version}).")
    return 0


def _copy_source(args: argparse.Namespace, config: Config) -> Path:
    """The SQLite file ``claimdesk copy`` reads (the configured one unless --from names
    another), once both its ends are checked."""
    if args.source:
        source = Path(args.source.removeprefix("sqlite:")).expanduser()
    else:
        source = StorageConfig(path=config.storage.path).resolved_path()
    if not is_database_url(args.target):
        raise ConfigError("copy --to: give a PostgreSQL address (postgresql://user@host/database)")
    if not source.is_file():
        raise ConfigError(f"copy --from: no SQLite file at {source}")
    return source


async def _copy(args: argparse.Namespace, config: Config, out: Console) -> int:
    source: Path = args.source_path
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=out
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        try:
            report = await copy_sqlite_to_postgres(source, args.target, progress=advance)
        except TargetNotEmpty as error:
            raise ConfigError(f"copy --to: {error}") from None
    out.print(
        f"Copied {plural(report.rows['claims'], 'claim')}, "
        f"{plural(report.rows['history'], 'history entry', 'history entries')} and "
        f"{plural(report.rows['sources'], 'source')} to {shown(args.target)}; every count matches."
    )
    async with open_claimdesk(config.with_database(args.target)) as app:
        return await _audit(app, out)


async def _main(args: argparse.Namespace, config: Config, out: Console) -> int:
    if args.command == "migrate":
        return await _migrate(config, out)
    if args.command == "copy":
        return await _copy(args, config, out)
    async with open_claimdesk(config) as app:
        match args.command:
            case "seed":
                workspace = args.workspace or console_workspace(config)
                return await _seed(
                    app, args.path or config.seeds.resolved_path(), workspace, out, quiet=False
                )
            case "audit":
                return await _audit(app, out)
            case "export":
                workspace = args.workspace or console_workspace(config)
                return await _export(app, args, workspace, out)
            case "import":
                workspace = args.workspace or console_workspace(config)
                return await _import_reviews(app, args.paths, workspace, out)
            case "embed":
                return await _embed(app, out, args.wait)
            case "console":
                return await _console(app, args, out)
            case _:  # "run"
                return await _run(app, args, out)


async def _run(app: Claimdesk, args: argparse.Namespace, out: Console) -> int:
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
        return await _console(app, args, out)
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
        )
    except* Unreachable as group:
        unreachable = group.exceptions
    else:
        return 0
    errors = _errors()
    for error in unreachable:
        errors.print(f"[red]Error[/]: {escape(str(error))}")
    return 1


def _errors() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        args.command = "run"
    # No emoji codes: typed text such as "console:x:" or ":fire:" is shown as typed.
    out = Console(highlight=False, soft_wrap=True, emoji=False)
    try:
        config = _load(args)
        if args.command == "copy":
            args.source_path = _copy_source(args, config)
    except ConfigError as error:
        _errors().print(f"[red]Configuration error[/]: {escape(str(error))}")
        return 2
    # A bot serving chat logs to stderr, for its service manager; anything else is a command
    # whose output is its answer (or the console a person types in), so its log goes to a file.
    serves_chat = args.command == "run" and (
        config.discord.token is not None or config.slack.bot_token is not None
    )
    log_file = None if serves_chat else config.logging.resolved_file()
    configure_logging(config.logging.level, _secrets(config), log_file)
    try:
        return asyncio.run(_main(args, config, out))
    except StoreDamaged as error:
        _errors().print(f"[red]Damaged store[/]: {escape(str(error))}")
        return 2
    except StoreUnavailable as error:
        _errors().print(f"[red]Error[/]: {escape(str(error))}")
        return 1
    except (seeds.SeedError, ConfigError, RuntimeError) as error:
        _errors().print(f"[red]Error[/]: {escape(str(error))}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
