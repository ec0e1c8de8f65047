"""The text command language shared by the console and Slack: parse, execute, neutral replies."""

from bot.core.commands.execute import CommandRunner
from bot.core.commands.grammar import parse

__all__ = ["CommandRunner", "parse"]
