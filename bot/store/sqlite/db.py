"""The shared queries' Db (bot/store/sql/db.py) on an aiosqlite connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.expression import ClauseElement

from bot.store.rows import RowLike
from bot.store.sql.compiler import Compiler


def compiler() -> Compiler:
    return Compiler(sqlite.dialect())


class SqliteDb:
    def __init__(self, conn: aiosqlite.Connection, compiled: Compiler) -> None:
        self.conn = conn
        self._compiled = compiled

    # A read is one hop to aiosqlite's thread (execute_fetchall: execute, fetch and close there
    # at once), not three (execute, fetch, close): a change runs a dozen statements.
    async def rows(self, statement: ClauseElement, /, **params: Any) -> list[RowLike]:
        sql, values = self._compiled.sql(statement, params)
        return list(await self.conn.execute_fetchall(sql, values))

    async def row(self, statement: ClauseElement, /, **params: Any) -> RowLike | None:
        found = await self.rows(statement, **params)
        return found[0] if found else None

    async def value(self, statement: ClauseElement, /, **params: Any) -> Any:
        found = await self.row(statement, **params)
        return None if found is None else found[0]

    async def run(self, statement: ClauseElement, /, **params: Any) -> int:
        sql, values = self._compiled.sql(statement, params)
        # Closed at once: a write's statement left open kept the background integrity check
        # from finishing (tests/store/test_store_faults.py waited up to 8 s for its refusal, not 2).
        async with self.conn.execute(sql, values) as cursor:
            return cursor.rowcount

    async def run_many(
        self, statement: ClauseElement, rows: Sequence[Mapping[str, Any]], /
    ) -> None:
        if rows:
            sql, values = self._compiled.many(statement, rows)
            await self.conn.executemany(sql, values)
