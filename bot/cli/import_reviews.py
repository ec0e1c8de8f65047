"""`claimdesk import`: published fact-checks (ClaimReview) into a workspace."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)

from bot.bootstrap import (
    Claimdesk,
)
from bot.claimreview.reader import Sources
from bot.core.presentation import plural

# Skipped reviews listed at most after an import (the summary counts them all).
MALFORMED_SHOWN = 20


async def import_reviews(app: Claimdesk, paths: list[str], workspace: str, out: Console) -> int:
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
