"""What every Slack listener needs, built once and passed to ``register(app, deps)``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.adapters.slack.identity import SlackIdentity
from bot.core.commands import CommandRunner

log = logging.getLogger("bot.adapters.slack")


@dataclass(frozen=True)
class SlackDeps:
    commands: CommandRunner
    identity: SlackIdentity
