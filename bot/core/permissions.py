"""Who may do what. The only place that knows what a moderator is."""

from __future__ import annotations

from bot.core.errors import PermissionDenied
from bot.core.models import Actor, ModeratorSettings


def is_moderator(actor: Actor, *settings: ModeratorSettings) -> bool:
    if actor.is_system or actor.is_workspace_admin:
        return True
    return any(actor.user_id in s.user_ids or actor.role_ids & s.role_ids for s in settings)


def require_moderator(actor: Actor, *settings: ModeratorSettings) -> None:
    if not is_moderator(actor, *settings):
        raise PermissionDenied(
            "Only moderators (editors and fact-checkers) can change a claim's status. "
            "Ask an editor, or add evidence with /claim source instead."
        )


def require_workspace_manager(actor: Actor) -> None:
    if not (actor.is_system or actor.is_workspace_admin or actor.can_manage_workspace):
        raise PermissionDenied(
            "Only members who can manage this workspace (Discord: Manage Server; "
            "Slack: workspace admins) can change who the moderators are."
        )
