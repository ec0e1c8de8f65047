"""`claimdesk seed`: a seed folder into a workspace."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
)

from bot import seeds
from bot.bootstrap import (
    Claimdesk,
)


async def seed(app: Claimdesk, path: Path, workspace: str, out: Console, *, quiet: bool) -> int:
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
