"""A SQLAlchemy Core statement, compiled once per store for its dialect and then bound to each
call's values: SQLAlchemy writes the SQL, the store's own connections run it.

Why not SQLAlchemy's engine: each store keeps what it measured and tuned around its driver
(SQLite's one writer under a lock with BEGIN IMMEDIATE, the search connection's time budget,
file-fault messages; asyncpg's pool and its prepared-statement cache), and a compiled statement
is a plain string and a list of values to either. Statements are module constants, so each is
compiled once per process and store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

# A bound on the statements kept compiled: the shared queries are a few dozen constants; a
# statement built anew on each call (there should be none) would otherwise grow the cache.
_MOST_KEPT = 1024


@dataclass(frozen=True, slots=True)
class _Plan:
    statement: ClauseElement  # held, so that its id is not reused while the plan is kept
    compiled: SQLCompiler
    listed: frozenset[str]  # IN lists' parameters: their lengths are known only at the call

    def bind(self, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        values = self.compiled.construct_params(params)
        names = self.compiled.positiontup or ()
        if not self.listed:
            return self.compiled.string, [values[name] for name in names]
        # An IN list (SQLite's: PostgreSQL binds one array instead, constructs.AnyOf): one "?"
        # per item in place of its marker. Done here rather than by SQLAlchemy's expanded
        # state, which took 0.4 ms for the thousand candidates of a vector search.
        sql, bound = self.compiled.string, []
        for name in names:
            if name in self.listed:
                items = list(values[name])
                marker = f"__[POSTCOMPILE_{name}]"
                sql = sql.replace(marker, ", ".join("?" * len(items)) or "NULL", 1)
                bound.extend(items)
            else:
                bound.append(values[name])
        return sql, bound


class Compiler:
    """Statements compiled for one dialect, kept by identity."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[int, _Plan] = {}

    def sql(self, statement: ClauseElement, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The statement's SQL in the dialect's own placeholders, and its values in order."""
        return self._plan(statement).bind(params)

    def many(
        self, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[str, list[list[Any]]]:
        """One statement for many rows of values (none of them an expanding IN list)."""
        plan = self._plan(statement)
        assert not plan.listed, "executemany takes no IN lists"
        return plan.compiled.string, [plan.bind(row)[1] for row in rows]

    def _plan(self, statement: ClauseElement) -> _Plan:
        """The statement's plan, compiled the first time it is asked for."""
        plan = self._plans.get(id(statement))
        if plan is not None and plan.statement is statement:
            return plan
        compiled = statement.compile(dialect=self._dialect)
        assert isinstance(compiled, SQLCompiler)
        listed = frozenset(p.key for p in compiled.post_compile_params)
        assert not listed or self._dialect.paramstyle == "qmark", "IN lists are SQLite's"
        plan = _Plan(statement, compiled, listed)
        if len(self._plans) >= _MOST_KEPT:
            self._plans.clear()
        self._plans[id(statement)] = plan
        return plan
