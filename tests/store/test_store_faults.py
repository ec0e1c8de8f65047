"""Faults of the file, the disk and the config end in one plain line and the right exit code,
never a traceback, and a store that fails its integrity check takes no writes."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.audit import audit_store
from bot.core.errors import StoreDamaged, StoreUnavailable
from bot.core.matching.matcher import Matcher
from bot.core.models import Actor
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore, integrity
from tests.conftest import Desk, StepClock

# Faults of the SQLite file and its disk (PostgreSQL's are its server's to report).
pytestmark = pytest.mark.sqlite_only


def _damage(path: Path) -> None:
    """Random bytes over part of the file, past its header, as a failing disk leaves it."""
    with path.open("r+b") as file:
        file.seek(8192)
        file.write(os.urandom(16384))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one line the fault was told in (log records, time-stamped, aside)."""
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if not line[:4].isdigit()]
    assert len(lines) == 1, captured.err
    return lines[0]


def test_a_damaged_store_takes_no_writes_and_the_audit_says_how_to_recover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["--db", str(db), "seed"]) == 0
    _damage(db)
    before = _digest(db)
    capsys.readouterr()

    assert (
        main(["--db", str(db), "console", "--no-seed", "-c", "/claim add Ferry fares rose."]) == 2
    )
    line = _error_line(capsys)
    assert line.startswith(f"Damaged store: The store {db} is damaged (")
    assert "will not write to it" in line
    assert _digest(db) == before  # nothing written, not even the claim that was refused

    assert main(["--db", str(db), "audit", "verify"]) == 2
    line = _error_line(capsys)
    assert ".recover" in line
    assert "audit verify" in line


async def test_damage_only_the_full_check_finds_fails_the_audit(desk: Desk) -> None:
    # An index that no longer matches its table passes the quick check at start; the audit's
    # full integrity check still finds it, and gives no "OK".
    await desk.service.add_claim(desk.reporter, "The ferry fares rose again this spring.")
    await desk.service.add_source(desk.reporter, 1, "https://example.com/fares")
    with sqlite3.connect(desk.file) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, '(claim_id, id)', '(url, id)')"
            " WHERE name = 'sources_by_claim'"
        )
    store = await SqliteStore.open(desk.file)  # the quick check at start passes
    try:
        with pytest.raises(StoreDamaged, match="is damaged"):
            await audit_store(store)
    finally:
        await store.close()


def test_a_folder_given_as_the_store_is_one_plain_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    assert main(["--db", str(folder), "audit", "verify"]) == 1
    assert _error_line(capsys) == (
        f"Error: The store path {folder} is a folder: give the path of a file in it "
        "(storage.path in the config, CLAIMDESK_DB, or --db)."
    )


def test_a_store_path_that_cannot_be_created_is_one_plain_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["--db", str(blocker / "sub" / "c.sqlite3"), "seed"]) == 1
    line = _error_line(capsys)
    assert line.startswith(f"Error: Cannot create the store {blocker / 'sub' / 'c.sqlite3'}:")
    assert "Not a directory" in line


def test_a_config_that_is_not_utf8_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[storage]\npath = "caf\xe9.sqlite3"\n')
    assert main(["--config", str(config), "audit", "verify"]) == 2
    assert _error_line(capsys) == (
        f"Configuration error: {config}: not UTF-8 text (byte 22 cannot be read); save it as UTF-8"
    )


async def test_a_full_disk_refuses_the_write_plainly_and_keeps_the_store(desk: Desk) -> None:
    await desk.service.add_claim(desk.reporter, "The ferry fares rose again this spring.")
    # SQLite's page limit reached is the same fault as a full disk (SQLITE_FULL).
    writer = desk.sqlite._writer
    async with writer.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    await writer.execute(f"PRAGMA max_page_count = {row[0]}")
    long_text = "The harbour dredging budget doubled, the council said. " * 16
    acknowledged, refusal = 1, None
    for n in range(50):
        try:
            await desk.service.add_claim(desk.reporter, f"{n} {long_text}", force=True)
        except StoreUnavailable as error:
            refusal = error
            break
        acknowledged += 1
    assert refusal is not None
    assert "is full: nothing was saved" in str(refusal)
    # Every acknowledged claim is stored, the refused one is not, and reads go on.
    with sqlite3.connect(desk.file) as conn:
        assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == acknowledged
    assert (await desk.service.show(desk.reporter, 1)).claim.text.startswith("The ferry")


async def test_a_read_only_store_refuses_the_write_plainly(desk: Desk) -> None:
    await desk.service.add_claim(desk.reporter, "The ferry fares rose again this spring.")
    before = await desk.snapshot()
    await desk.sqlite._writer.execute("PRAGMA query_only = ON")  # a read-only file
    with pytest.raises(StoreUnavailable, match="is read-only"):
        await desk.service.add_claim(desk.reporter, "Tram fares fell.", force=True)
    assert (await desk.snapshot()) == before


async def test_a_large_store_is_checked_in_the_background_and_then_refuses_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "large.sqlite3"
    store = await SqliteStore.open(path)
    service = ClaimService(
        store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
    )
    reporter = Actor(workspace="console:big", user_id="u", display_name="Rita")
    for n in range(300):
        await service.add_claim(reporter, f"Claim {n}: the ferry fares rose by {n} percent.")
    await store.close()
    with path.open("r+b") as file:  # a damaged page far from the schema
        file.seek(path.stat().st_size // 2)
        file.write(os.urandom(4096))
    monkeypatch.setattr(integrity, "CHECK_FIRST_BYTES", 0)  # as if it were gigabytes
    store = await SqliteStore.open(path)  # opens at once
    try:
        service = ClaimService(
            store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
        )
        refusal: StoreDamaged | None = None
        for _ in range(200):  # the check runs beside; wait for its finding
            try:
                await service.add_claim(reporter, "The tram fares fell this spring.", force=True)
            except StoreDamaged as refused:
                refusal = refused
                break
            await asyncio.sleep(0.05)
        assert refusal is not None, "the background check never refused a write"
        assert "is damaged" in str(refusal)
    finally:
        await store.close()
