"""`claimdesk embed`: embed every queued claim, then stop."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from bot.bootstrap import (
    Claimdesk,
)
from bot.cli.output import errors_console
from bot.core.matching.embedder import ModelState
from bot.core.presentation import plural


async def embed(app: Claimdesk, out: Console, wait: float) -> int:
    if not await app.semantic.wait_loaded(wait, download=True):
        still = app.semantic.state is ModelState.LOADING
        when = f"after {wait:.0f} s, " if still else ""
        errors_console().print(
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
