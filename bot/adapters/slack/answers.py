"""The one place a Slack listener's error becomes an answer: a refusal from the core is shown
to the person who asked; anything else is logged with the request's reference and apologised
for, in the words every front end uses."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncRespond

from bot.adapters.slack import blocks
from bot.adapters.slack.blocks import Block
from bot.core.errors import ClaimdeskError
from bot.core.presentation import apology

log = logging.getLogger("bot.adapters.slack")

_T = TypeVar("_T")


def reference_of(body: dict[str, Any]) -> str:
    """What a member quotes to their admin, and what the log line carries."""
    return str(body.get("trigger_id") or body.get("event_id") or "?")


def error_answer(error: BaseException, body: dict[str, Any], what: str) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for an error met while answering ``what``."""
    if isinstance(error, ClaimdeskError):
        return blocks.error_blocks(str(error))
    reference = reference_of(body)
    log.error("Slack %s failed (reference %s)", what, reference, exc_info=error)
    return apology(reference), []


async def guarded(
    respond: AsyncRespond, body: dict[str, Any], work: Awaitable[_T], what: str
) -> _T | None:
    """``work``'s result, or None once its error has been answered, to the asker only."""
    try:
        return await work
    except Exception as error:
        text, error_blocks = error_answer(error, body, what)
        await respond(
            text=text,
            blocks=error_blocks or None,
            response_type="ephemeral",
            replace_original=False,
        )
    return None
