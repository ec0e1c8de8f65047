"""Numbered migration files, ``migrations/NNNN_name.sql`` inside a store's package: each store
(SQLite, PostgreSQL) has its own, numbered from 1 without gaps."""

from __future__ import annotations

import re
from importlib import resources
from typing import NamedTuple

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def available(package: str) -> list[Migration]:
    folder = resources.files(package) / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..n without gaps, found {versions}")
    return found


def newer_than_known(done: set[int], known: list[Migration]) -> str | None:
    """Why a database cannot be opened by this Claimdesk, if its schema is newer."""
    newest = known[-1].version if known else 0
    if done and max(done) > newest:
        return (
            f"this database has schema version {max(done)}, newer than this Claimdesk "
            f"({newest}); upgrade Claimdesk instead of opening it with an older one"
        )
    return None
