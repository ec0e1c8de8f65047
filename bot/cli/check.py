"""`claimdesk check`: has this been checked? The answer of `/claim check`, for scripts.

Exit 0 when a confident match is shown, 1 when none is, 2 on an error. ``--json`` prints
``{"matches": [{"id", "tier", "score", "why", …}], "check": id}``; ``--each FILE`` checks every line of FILE
as its own message in one process and prints one such object a line, in order (a line that
cannot be checked gets ``{"error": …}`` in its place, and the exit is 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.adapters.console.render import render, render_error
from bot.adapters.console.session import console_actor
from bot.bootstrap import Claimdesk, console_workspace
from bot.cli.console import catch_up_embeddings
from bot.cli.output import errors_console
from bot.cli.seed import seed
from bot.core.commands.grammar import Check
from bot.core.commands.replies import CheckReply
from bot.core.errors import ClaimdeskError
from bot.core.models import Actor, ClaimSummary, MatchTier
from bot.core.presentation import match_note

CONFIDENT, NONE, ERROR = 0, 1, 2


def as_json(reply: CheckReply) -> dict[str, Any]:
    """``check``: under which `/claim confirm` and `/claim reject` answer its matches."""
    return {"matches": [_match(item) for item in reply.matches], "check": reply.check_id}


def _match(item: ClaimSummary) -> dict[str, Any]:
    info = item.match
    return {
        "id": item.id,
        "tier": info.tier.value if info and info.tier else None,
        "score": info.score if info else None,
        "why": match_note(item) or "",
        "status": item.status.value,
        "text": item.text,
    }


def confident(reply: CheckReply) -> bool:
    return any(m.match and m.match.tier is MatchTier.CONFIDENT for m in reply.matches)


async def check(app: Claimdesk, args: argparse.Namespace, out: Console) -> int:
    workspace = args.workspace or console_workspace(app.config)
    if workspace == console_workspace(app.config) and app.config.seeds.load_into_console:
        await seed(app, app.config.seeds.resolved_path(), workspace, out, quiet=True)
    await catch_up_embeddings(app, out)
    actor = console_actor(workspace, "claimdesk check", moderator=False, moderator_role="")
    if args.each is not None:
        return await _each(app, actor, _lines(args.each), out)
    if args.text is None:
        errors_console().print("[red]Error[/]: give the text to check, or - to read it from stdin")
        return ERROR
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        reply = await app.commands.ask(actor, Check(text, by_a_member=False), CheckReply)
    except ClaimdeskError as error:
        errors_console().print(render_error(error))
        return ERROR
    if args.json:
        print(json.dumps(as_json(reply), ensure_ascii=False))
    else:
        out.print(render(reply))
    return CONFIDENT if confident(reply) else NONE


def _lines(path: Path) -> Iterable[str]:
    source = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with source:
        for line in source:
            yield line.rstrip("\n")


async def _each(app: Claimdesk, actor: Actor, lines: Iterable[str], out: Console) -> int:
    """One JSON object a line, in order; flushed as it goes, so a pipe reads answers at once."""
    result = NONE
    for line in lines:
        try:
            reply = await app.commands.ask(actor, Check(line, by_a_member=False), CheckReply)
        except ClaimdeskError as error:
            print(json.dumps({"error": str(error)}, ensure_ascii=False), flush=True)
            result = ERROR
            continue
        print(json.dumps(as_json(reply), ensure_ascii=False), flush=True)
        if result == NONE and confident(reply):
            result = CONFIDENT
    return result
