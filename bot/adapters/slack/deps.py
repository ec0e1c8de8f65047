"""What every Slack listener needs, built once and passed to ``register(app, deps)``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.adapters.slack.identity import SlackIdentity
from bot.core.commands import CommandRunner
from bot.core.service import ClaimService

log = logging.getLogger("bot.adapters.slack")


@dataclass(frozen=True)
class SlackDeps:
    service: ClaimService
    commands: CommandRunner
    identity: SlackIdentity


def apology(reference: str) -> str:
    return (
        "Sorry, something went wrong on our side and nothing was changed. "
        f"If it keeps happening, tell your admin the reference {reference}."
    )
