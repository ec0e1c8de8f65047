"""`claimdesk audit verify`: every workspace's history chain and the rows it vouches for."""

from __future__ import annotations

from rich.console import Console

from bot.bootstrap import (
    Claimdesk,
)
from bot.core.audit import audit_store
from bot.core.presentation import plural


async def audit(app: Claimdesk, out: Console) -> int:
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
