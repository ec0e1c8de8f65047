"""What the shared queries run on: a connection of either store, taking SQLAlchemy Core
statements with their values by name. bot/store/sqlite/db.py and bot/store/postgres/db.py are
the two implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.sql.expression import ClauseElement

from bot.store.rows import RowLike


class Db(Protocol):
    async def rows(self, statement: ClauseElement, /, **params: Any) -> list[RowLike]: ...

    async def row(self, statement: ClauseElement, /, **params: Any) -> RowLike | None: ...

    async def value(self, statement: ClauseElement, /, **params: Any) -> Any:
        """The first column of the first row, or None when there is no row."""
        ...

    async def run(self, statement: ClauseElement, /, **params: Any) -> int:
        """Execute; returns how many rows it changed."""
        ...

    async def run_many(
        self, statement: ClauseElement, rows: Sequence[Mapping[str, Any]], /
    ) -> None: ...
