"""The history is append-only, and an edit behind the bot's back is caught and named."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core.models import ClaimAdded
from tests.conftest import Desk


async def _workflow(desk: Desk) -> None:
    outcome = await desk.service.add_claim(
        desk.reporter, "The mayor said the bridge will reopen in May."
    )
    assert isinstance(outcome, ClaimAdded)
    await desk.service.add_source(desk.reporter, 1, "https://example.com/minutes", stance="refutes")
    await desk.service.change_status(desk.editor, 1, "disputed", "Council minutes say June")
    await desk.service.change_status(desk.editor, 1, "verified", "Mayor's office confirmed May")
    await desk.service.add_claim(desk.outsider, "Some other newsroom's claim about the trams.")


def _tamper(desk: Desk, *statements: str) -> None:
    """What someone with the database file could do: drop the guard triggers and edit."""
    with sqlite3.connect(desk.path) as conn:
        conn.execute("DROP TRIGGER history_is_append_only_update")
        conn.execute("DROP TRIGGER history_is_append_only_delete")
        for sql in statements:
            conn.execute(sql)


async def test_untouched_history_verifies(desk: Desk) -> None:
    await _workflow(desk)
    report = await desk.service.audit()
    assert report.ok
    assert (report.workspaces_checked, report.entries_checked) == (2, 5)


async def test_the_bot_cannot_update_or_delete_history(desk: Desk) -> None:
    await _workflow(desk)
    with sqlite3.connect(desk.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE history SET detail = 'softer reason' WHERE id = (1 << 32) + 3")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM history WHERE id = (1 << 32) + 4")


async def test_edited_reason_is_named(desk: Desk) -> None:
    await _workflow(desk)
    _tamper(
        desk,
        "UPDATE history SET detail = 'Nobody disputed this' WHERE id = (1 << 32) + 3",
    )
    report = await desk.service.audit()
    assert not report.ok
    assert [(p.workspace, p.seq) for p in report.problems] == [("console:newsroom", 3)]
    assert (
        "entry 3 (claim #1, status_changed) was changed after it was written"
        in report.problems[0].message
    )


async def test_rehashed_edit_still_breaks_the_chain(desk: Desk) -> None:
    await _workflow(desk)
    # A careful forger recomputes entry 3's own hash but cannot fix entry 4's link to it.
    _tamper(desk, "UPDATE history SET hash = 'f' || substr(hash, 2) WHERE id = (1 << 32) + 3")
    report = await desk.service.audit()
    assert report.problems[0].seq == 3


async def test_deleted_entries_are_found(desk: Desk) -> None:
    await _workflow(desk)
    _tamper(desk, "DELETE FROM history WHERE id = (1 << 32) + 2")
    report = await desk.service.audit()
    assert "entry 2 is missing" in report.problems[0].message


async def test_deleted_tail_is_found(desk: Desk) -> None:
    await _workflow(desk)
    _tamper(desk, "DELETE FROM history WHERE id = (1 << 32) + 4")
    report = await desk.service.audit()
    messages = [p.message for p in report.problems]
    assert any("entries were removed" in m for m in messages)


async def test_status_edited_on_the_claim_is_found(desk: Desk) -> None:
    await _workflow(desk)
    with sqlite3.connect(desk.path) as conn:
        conn.execute("UPDATE claims SET status = 'disputed' WHERE number = 1 AND workspace_key = 1")
    report = await desk.service.audit()
    assert [p.message for p in report.problems] == [
        "claim #1 is stored as disputed but its history says verified"
    ]
