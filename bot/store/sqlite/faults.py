"""What went wrong with the store's file, said plainly: SQLite's and the OS's errors turned into
``StoreUnavailable`` messages that name the file and what to do about it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.errors import StoreDamaged, StoreUnavailable


def damaged(path: Path, finding: str) -> StoreDamaged:
    return StoreDamaged(
        f"The store {path} is damaged ({finding}); Claimdesk will not write to it. To recover: "
        "stop every Claimdesk process and keep a copy of the file; then restore the last "
        f"backup, or salvage what is readable with `sqlite3 {path} .recover | sqlite3 "
        "recovered.sqlite3`, check the copy with `claimdesk --db recovered.sqlite3 audit "
        "verify`, and put it in the store's place."
    )


def a_folder(path: Path) -> StoreUnavailable:
    return StoreUnavailable(
        f"The store path {path} is a folder: give the path of a file in it "
        "(storage.path in the config, CLAIMDESK_DB, or --db)."
    )


def refuse_a_folder(path: Path) -> None:
    if path.is_dir():
        raise a_folder(path)


def explain(error: BaseException, path: Path) -> StoreUnavailable | None:
    """The plain reason behind ``error``, or None if it is not a fault of the file or disk."""
    message = str(error)
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.IntegrityError):
        lowered = message.lower()
        if "malformed" in lowered or "not a database" in lowered:
            return damaged(path, message)
        if "disk is full" in lowered:
            return StoreUnavailable(
                f"The disk holding the store {path} is full: nothing was saved. "
                "Free some space, then try again."
            )
        if "readonly" in lowered or "read-only" in lowered:
            return StoreUnavailable(
                f"The store {path} is read-only: Claimdesk must be able to write to the file "
                "and to its folder (for the -wal and -shm files beside it). Check who owns them."
            )
        if "unable to open" in lowered:  # a folder is refused before connecting
            return StoreUnavailable(
                f"Cannot open the store {path}: check that its folder exists and is writable."
            )
        if "disk i/o error" in lowered:
            return StoreUnavailable(
                f"The disk holding the store {path} failed to read or write (disk I/O error): "
                "check the disk, then try again."
            )
    if isinstance(error, OSError) and not isinstance(error, sqlite3.Error):
        return StoreUnavailable(
            f"Cannot create the store {path}: {error.strerror or message}"
            + (f" ({error.filename})" if error.filename else "")
            + "."
        )
    return None
