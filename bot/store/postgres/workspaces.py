"""Workspaces: which there are, and who their moderators are (as set in chat). Mirrors
bot/store/sqlite/workspaces.py."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import ModeratorSettings
from bot.core.ports import ModeratorKind
from bot.store.postgres.base import PgBase
from bot.store.rows import moderators_from


class WorkspaceQueries(PgBase):
    async def workspaces(self) -> list[str]:
        rows = await self._pool.fetch("SELECT external_id FROM workspaces ORDER BY key")
        return [str(r[0]) for r in rows]

    async def moderators(self, workspace: str) -> ModeratorSettings:
        key = await self._key(workspace)
        if key is None:
            return ModeratorSettings()
        rows = await self._pool.fetch(
            "SELECT kind, ref FROM workspace_moderators WHERE workspace_key = $1", key
        )
        return moderators_from(rows)

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, datetime.now())
            if present:
                status_line = await conn.execute(
                    "INSERT INTO workspace_moderators VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    key,
                    kind,
                    ref,
                )
            else:
                status_line = await conn.execute(
                    "DELETE FROM workspace_moderators"
                    " WHERE workspace_key = $1 AND kind = $2 AND ref = $3",
                    key,
                    kind,
                    ref,
                )
        self._remember(workspace, key)
        return status_line.split()[-1] != "0"
