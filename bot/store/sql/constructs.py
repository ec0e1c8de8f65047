"""SQL that the two dialects write differently, as SQLAlchemy constructs compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import Boolean


class AnyOf(ColumnElement[bool]):
    """``column`` is one of the list bound as ``name``: on PostgreSQL ``= ANY($n)``, one array
    parameter (one statement whatever the list's length, so its prepared plan is reused); on
    SQLite an IN list of that many parameters."""

    inherit_cache = True
    # A comparison, as IN is: SQLite's compiler would otherwise write "… IN (…) = 1", which no
    # index serves.
    _is_implicitly_boolean = True
    type: TypeEngine[bool] = Boolean()

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


@compiles(AnyOf)
def _in_list(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(AnyOf, "postgresql")
def _any_array(element: AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    item = element.column.type if element.column.type is not None else BigInteger()
    array = bindparam(element.name, type_=ARRAY(item))
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(array, **kw)})"
