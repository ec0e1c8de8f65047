"""`claimdesk export matches`: every match a check showed, with the members' verdict on it, as
CSV: the labels to fit the decision again on a newsroom's own messages (bench/decision.py)."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from collections import Counter
from pathlib import Path

from bot.bootstrap import Claimdesk
from bot.cli.output import errors_console
from bot.core.models import Verdict
from bot.core.ports import ExportedMatch
from bot.core.presentation import plural

COLUMNS = (
    "check",
    "asked_at",
    "message",
    "link",
    "claim",
    "tier",
    "score",
    "verdict",
    "verdict_by",
    "verdict_at",
)


def _row(item: ExportedMatch) -> list[str]:
    return [
        str(item.check_id),
        item.asked_at.isoformat(),
        item.text,
        item.link or "",
        str(item.match.claim_id),
        item.match.tier.value,
        "" if item.match.score is None else f"{item.match.score:.3f}",
        item.verdict.value if item.verdict else "",
        item.verdict_by,
        item.verdict_at.isoformat() if item.verdict_at else "",
    ]


async def export_matches(app: Claimdesk, workspace: str, out: Path | None) -> int:
    items = await app.service.exported_matches(workspace)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(i) for i in items)
    if out:
        await asyncio.to_thread(out.write_text, buffer.getvalue(), encoding="utf-8")
    else:
        sys.stdout.write(buffer.getvalue())
    counts = Counter(i.verdict for i in items)
    checks = len({i.check_id for i in items})
    errors_console().print(
        f"{plural(len(items), 'match', 'matches')} shown by {plural(checks, 'check')}:"
        f" {counts[Verdict.CONFIRMED]:,} confirmed, {counts[Verdict.REJECTED]:,} rejected,"
        f" {counts[None]:,} with no verdict" + (f"; written to {out}." if out else ".")
    )
    return 0
