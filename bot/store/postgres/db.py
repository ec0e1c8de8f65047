"""The shared queries' Db (bot/store/sql/db.py) on an asyncpg connection or pool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.sql.expression import ClauseElement

from bot.store.rows import RowLike
from bot.store.sql.compiler import Compiler

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn


def compiler() -> Compiler:
    # asyncpg's dialect: numbered placeholders, each cast to its column's type.
    return Compiler(asyncpg_dialect.dialect())  # type: ignore[no-untyped-call]


class PgDb:
    def __init__(self, conn: Conn | asyncpg.Pool, compiled: Compiler) -> None:
        self.conn = conn
        self._compiled = compiled

    async def rows(self, statement: ClauseElement, /, **params: Any) -> list[RowLike]:
        sql, values = self._compiled.sql(statement, params)
        return list(await self.conn.fetch(sql, *values))

    async def row(self, statement: ClauseElement, /, **params: Any) -> RowLike | None:
        sql, values = self._compiled.sql(statement, params)
        found: RowLike | None = await self.conn.fetchrow(sql, *values)
        return found

    async def value(self, statement: ClauseElement, /, **params: Any) -> Any:
        sql, values = self._compiled.sql(statement, params)
        return await self.conn.fetchval(sql, *values)

    async def run(self, statement: ClauseElement, /, **params: Any) -> int:
        sql, values = self._compiled.sql(statement, params)
        status = await self.conn.execute(sql, *values)
        count = status.rsplit(" ", 1)[-1]  # "UPDATE 3", "INSERT 0 1"
        return int(count) if count.isdigit() else 0

    async def run_many(
        self, statement: ClauseElement, rows: Sequence[Mapping[str, Any]], /
    ) -> None:
        if rows:
            sql, values = self._compiled.many(statement, rows)
            await self.conn.executemany(sql, values)
