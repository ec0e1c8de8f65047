"""What every shared query needs of a store: where to read, how to write (one transaction),
and the workspace keys it packs ids with. SQLite's StoreBase and PostgreSQL's PgBase provide
``_reads`` and ``_write``; the rest is here, once."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime

from bot.core.models import Claim
from bot.store.keys import pack
from bot.store.rows import RowLike, claim_from
from bot.store.sql import statements as q
from bot.store.sql.db import Db


class SqlBase:
    _keys: dict[str, int]
    _names: dict[int, str]

    @property
    def _reads(self) -> Db:
        """Where a read outside a write transaction runs (committed data only)."""
        raise NotImplementedError

    def _write(self) -> AbstractAsyncContextManager[Db]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        raise NotImplementedError

    async def _key(self, workspace: str) -> int | None:
        if workspace in self._keys:
            return self._keys[workspace]
        key = await self._reads.value(q.KEY_OF, workspace=workspace)
        if key is None:
            return None
        self._remember(workspace, int(key))
        return int(key)

    async def _ensure_key(self, db: Db, workspace: str, at: datetime) -> int:
        """The workspace's key, creating the workspace inside ``db``'s transaction if need be.
        Cached by ``_remember`` once that transaction has committed."""
        key = await self._key(workspace)
        if key is not None:
            return key
        await db.run(q.ADD_WORKSPACE, workspace=workspace, at=at.isoformat())
        return int(await db.value(q.KEY_OF, workspace=workspace))

    def _remember(self, workspace: str, key: int) -> None:
        self._keys[workspace] = key
        self._names[key] = workspace

    def _claim(self, row: RowLike, workspace: str | None = None) -> Claim:
        return claim_from(row, workspace or self._names[row[1]])

    async def _fetch_claim(
        self, db: Db, workspace: str, number: int, *, for_update: bool = False
    ) -> Claim | None:
        """The claim, or None; ``for_update`` locks its row until the transaction ends (on
        PostgreSQL: a moderator in another process waits, then sees the new version)."""
        key = await self._key(workspace)
        if key is None:
            return None
        row = await db.row(q.CLAIM_FOR_UPDATE if for_update else q.CLAIM, id=pack(key, number))
        return self._claim(row, workspace) if row else None
