"""Workspaces: which there are, and who their moderators are (as set in chat)."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import ModeratorSettings
from bot.core.ports import ModeratorKind
from bot.store.rows import moderators_from
from bot.store.sqlite.base import StoreBase


class WorkspaceQueries(StoreBase):
    async def workspaces(self) -> list[str]:
        async with self._reader.execute("SELECT external_id FROM workspaces ORDER BY key") as cur:
            return [row[0] for row in await cur.fetchall()]

    async def moderators(self, workspace: str) -> ModeratorSettings:
        key = await self._key(workspace)
        if key is None:
            return ModeratorSettings()
        async with self._reader.execute(
            "SELECT kind, ref FROM workspace_moderators WHERE workspace_key = ?", (key,)
        ) as cur:
            rows = list(await cur.fetchall())
        return moderators_from(rows)

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, datetime.now())
            if present:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO workspace_moderators VALUES (?, ?, ?)", (key, kind, ref)
                )
            else:
                cur = await conn.execute(
                    "DELETE FROM workspace_moderators WHERE workspace_key = ? AND kind = ? AND ref = ?",
                    (key, kind, ref),
                )
            return cur.rowcount > 0
