"""`claimdesk export`: the desk's checks as ClaimReview JSON-LD, CSV or a static site."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime

from rich.console import Console

from bot.bootstrap import (
    Claimdesk,
)
from bot.claimreview.site import write_site
from bot.cli.output import errors_console
from bot.config import (
    ConfigError,
    default_config_path,
)
from bot.core.models import Status
from bot.core.presentation import plural
from bot.core.provenance import Origin
from bot.core.publishing import Newsroom, Published, claim_review, csv_row, csv_text, published


async def export(app: Claimdesk, args: argparse.Namespace, workspace: str, out: Console) -> int:
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
        errors_console().print(
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
        errors_console().print(f"Wrote {plural(len(items), 'claim')} to {args.out}.")
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
