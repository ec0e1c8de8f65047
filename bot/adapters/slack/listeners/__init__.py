"""One module per kind of Slack request, each with ``register(app, deps)``."""

from slack_bolt.async_app import AsyncApp

from bot.adapters.slack.deps import SlackDeps
from bot.adapters.slack.listeners import actions, commands, shortcuts, views


def register(app: AsyncApp, deps: SlackDeps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    shortcuts.register(app, deps)
