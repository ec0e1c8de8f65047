"""Who is asking, in Slack terms: the team, the user, their user groups, whether they are admin.

Slack payloads carry only ids, so admin status (users.info) and user-group membership
(usergroups.list) are looked up and cached for a few minutes per team.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.models import Actor

CACHE_SECONDS = 300.0


def workspace_of(team_id: str) -> str:
    return f"slack:{team_id}"


@dataclass
class _Entry:
    value: object
    expires: float


class SlackIdentity:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._cache: dict[tuple[str, str], _Entry] = {}

    async def actor(self, team_id: str, user_id: str, fallback_name: str = "") -> Actor:
        name, is_admin = await self._user(team_id, user_id, fallback_name)
        groups = await self._groups_of(team_id, user_id)
        return Actor(
            workspace=workspace_of(team_id),
            user_id=user_id,
            display_name=name,
            role_ids=groups,
            is_workspace_admin=is_admin,
            can_manage_workspace=is_admin,
            can_manage_channels=is_admin,
        )

    async def member_named(self, team_id: str, handle: str) -> tuple[str, str] | None:
        """(id, name) of the member a command names as ``@handle`` (Slack sends a mention as
        typed when the app does not escape command text): their handle, display name or real
        name, case aside; None when nobody, or more than one, answers to it."""
        wanted = handle.strip().lstrip("@").casefold()
        found: dict[str, str] = {}
        cursor = ""
        try:
            while True:
                response = await self._client.users_list(limit=200, cursor=cursor or None)
                members: list[dict[str, Any]] = response.get("members", [])
                for user in members:
                    if not user.get("deleted") and wanted in _names_of(user):
                        profile = user.get("profile", {})
                        found[str(user["id"])] = str(
                            profile.get("display_name") or user.get("name")
                        )
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    break
        except SlackApiError:
            return None  # no users:read scope: a member is named by a mention or an id
        return next(iter(found.items())) if len(found) == 1 else None

    def _cached(self, key: tuple[str, str]) -> object | None:
        entry = self._cache.get(key)
        if entry and entry.expires > time.monotonic():
            return entry.value
        return None

    def _store(self, key: tuple[str, str], value: object) -> None:
        self._cache[key] = _Entry(value, time.monotonic() + CACHE_SECONDS)

    async def _user(self, team_id: str, user_id: str, fallback: str) -> tuple[str, bool]:
        key = (team_id, f"user:{user_id}")
        cached = self._cached(key)
        if isinstance(cached, tuple):
            return cached[0], cached[1]
        try:
            response = await self._client.users_info(user=user_id)
            user = response["user"]
            profile = user.get("profile", {})
            name = (
                profile.get("display_name")
                or profile.get("real_name")
                or user.get("name")
                or fallback
            )
            value = (str(name), bool(user.get("is_admin") or user.get("is_owner")))
        except SlackApiError:
            value = (fallback or user_id, False)  # no users:read scope: nobody is an admin
        self._store(key, value)
        return value

    async def _groups_of(self, team_id: str, user_id: str) -> frozenset[str]:
        key = (team_id, "usergroups")
        cached = self._cached(key)
        if not isinstance(cached, dict):
            members: dict[str, frozenset[str]] = {}
            try:
                response = await self._client.usergroups_list(include_users=True)
                groups: list[dict[str, Any]] = response.get("usergroups", [])
                for group in groups:
                    for member in group.get("users", []):
                        members[member] = members.get(member, frozenset()) | {group["id"]}
            except SlackApiError:
                pass  # no usergroups:read scope (or a free plan): moderators are named by user id
            self._store(key, members)
            cached = members
        return frozenset(cached.get(user_id, frozenset()))


def _names_of(user: dict[str, Any]) -> set[str]:
    """What a member answers to in a command: their handle, display name and real name."""
    profile = user.get("profile", {})
    names = (user.get("name"), profile.get("display_name"), profile.get("real_name"))
    return {str(n).casefold() for n in names if n}
