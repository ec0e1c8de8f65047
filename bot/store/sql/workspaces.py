"""Workspaces: which there are, who their moderators are (as set in chat), and their settings."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import ModeratorSettings
from bot.core.ports import ModeratorKind
from bot.store.rows import moderators_from
from bot.store.sql import statements as q
from bot.store.sql.base import SqlBase


class WorkspaceQueries(SqlBase):
    async def workspaces(self) -> list[str]:
        return [str(r[0]) for r in await self._reads.rows(q.WORKSPACE_NAMES)]

    async def moderators(self, workspace: str) -> ModeratorSettings:
        key = await self._key(workspace)
        if key is None:
            return ModeratorSettings()
        return moderators_from(await self._reads.rows(q.MODERATORS, key=key))

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, datetime.now())
            change = q.ADD_MODERATOR if present else q.REMOVE_MODERATOR
            changed = await db.run(change, key=key, kind=kind, ref=ref)
        self._remember(workspace, key)
        return changed > 0

    async def setting(self, workspace: str, name: str) -> str | None:
        key = await self._key(workspace)
        if key is None:
            return None
        value = await self._reads.value(q.SETTING, key=key, name=name)
        return None if value is None else str(value)

    async def set_setting(
        self, workspace: str, name: str, value: str | None, *, at: datetime
    ) -> None:
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, at)
            if value is None:
                await db.run(q.REMOVE_SETTING, key=key, name=name)
            else:
                await db.run(q.SET_SETTING, key=key, name=name, value=value)
        self._remember(workspace, key)
