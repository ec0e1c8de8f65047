"""`claimdesk copy`: a SQLite desk into an empty PostgreSQL database."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
)

from bot.bootstrap import (
    open_claimdesk,
)
from bot.cli.audit import audit
from bot.config import (
    Config,
    ConfigError,
    StorageConfig,
    is_database_url,
)
from bot.core.presentation import plural
from bot.store.copying import TargetNotEmpty, copy_sqlite_to_postgres
from bot.store.postgres.store import shown


def copy_source(args: argparse.Namespace, config: Config) -> Path:
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


async def copy(args: argparse.Namespace, config: Config, out: Console) -> int:
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
        return await audit(app, out)
