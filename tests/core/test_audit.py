"""The history is append-only, and an edit behind the bot's back is caught and named."""

from __future__ import annotations

import pytest

from bot.core.audit import audit_store
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


async def _tamper(desk: Desk, *statements: str) -> None:
    """What someone holding the database could do: switch every guard trigger off and edit."""
    await desk.execute(*statements, guards=False)


async def test_untouched_history_verifies(desk: Desk) -> None:
    await _workflow(desk)
    report = await audit_store(desk.store)
    assert report.ok
    assert (report.workspaces_checked, report.entries_checked) == (2, 5)


async def test_the_bot_cannot_update_or_delete_history(desk: Desk) -> None:
    await _workflow(desk)
    # The database refuses, whichever store it is (a trigger on each).
    with pytest.raises(Exception, match="append-only"):
        await desk.execute("UPDATE history SET detail = 'softer reason' WHERE id = (1 << 32) + 3")
    with pytest.raises(Exception, match="append-only"):
        await desk.execute("DELETE FROM history WHERE id = (1 << 32) + 4")


async def test_edited_reason_is_named(desk: Desk) -> None:
    await _workflow(desk)
    await _tamper(
        desk,
        "UPDATE history SET detail = 'Nobody disputed this' WHERE id = (1 << 32) + 3",
    )
    report = await audit_store(desk.store)
    assert not report.ok
    assert [(p.workspace, p.seq) for p in report.problems] == [("console:newsroom", 3)]
    assert (
        "entry 3 (claim #1, status_changed) was changed after it was written"
        in report.problems[0].message
    )


async def test_rehashed_edit_still_breaks_the_chain(desk: Desk) -> None:
    await _workflow(desk)
    # A careful forger recomputes entry 3's own hash but cannot fix entry 4's link to it.
    await _tamper(desk, "UPDATE history SET hash = 'f' || substr(hash, 2) WHERE id = (1 << 32) + 3")
    report = await audit_store(desk.store)
    assert report.problems[0].seq == 3


async def test_deleted_entries_are_found(desk: Desk) -> None:
    await _workflow(desk)
    await _tamper(desk, "DELETE FROM history WHERE id = (1 << 32) + 2")
    report = await audit_store(desk.store)
    assert "entry 2 is missing" in report.problems[0].message


async def test_deleted_tail_is_found(desk: Desk) -> None:
    await _workflow(desk)
    await _tamper(desk, "DELETE FROM history WHERE id = (1 << 32) + 4")
    report = await audit_store(desk.store)
    messages = [p.message for p in report.problems]
    assert any("entries were removed" in m for m in messages)


async def test_status_edited_on_the_claim_is_found(desk: Desk) -> None:
    await _workflow(desk)
    await desk.execute(
        "UPDATE claims SET status = 'disputed' WHERE number = 1 AND workspace_key = 1"
    )
    report = await audit_store(desk.store)
    assert [p.message for p in report.problems] == [
        "claim #1 is stored as disputed but its history says verified"
    ]


# What a claim says, and its sources, edited behind the bot's back (the guard triggers dropped,
# as anyone with the file can): before history bound a claim's content, each passed as OK.
@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE claims SET text = 'The mayor said the bridge will NOT reopen in May.'"
        " WHERE workspace_key = 1 AND number = 1",
        "UPDATE claims SET claimant = 'The council' WHERE workspace_key = 1 AND number = 1",
        "UPDATE claims SET tags = 'hoax' WHERE workspace_key = 1 AND number = 1",
        "UPDATE sources SET url = 'https://example.com/forged' WHERE claim_id = (1 << 32) + 1",
        "UPDATE sources SET title = 'Minutes confirm May' WHERE claim_id = (1 << 32) + 1",
        "UPDATE sources SET stance = 'supports' WHERE claim_id = (1 << 32) + 1",
        "UPDATE sources SET outlet = 'Reuters' WHERE claim_id = (1 << 32) + 1",
        "DELETE FROM sources WHERE claim_id = (1 << 32) + 1",
        "INSERT INTO sources(claim_id, url, stance, added_by_id, added_by_name, added_at)"
        " VALUES ((1 << 32) + 1, 'https://example.com/planted', 'supports', 'x', 'X', 'now')",
    ],
)
async def test_a_claim_or_source_edited_outside_the_bot_is_named(desk: Desk, edit: str) -> None:
    await _workflow(desk)
    await _tamper(desk, edit)
    report = await audit_store(desk.store)
    assert [(p.workspace, p.message) for p in report.problems] == [
        (
            "console:newsroom",
            "claim #1 does not say what its history recorded: its text, claimant, date, tags or "
            "sources were changed outside the bot",
        )
    ]


async def test_claims_deleted_or_planted_outside_the_bot_are_named(desk: Desk) -> None:
    await _workflow(desk)
    await desk.service.add_claim(desk.reporter, "The ferry fares rose again this spring.")
    await _tamper(
        desk,
        "DELETE FROM claims WHERE workspace_key = 1 AND number = 2",
        "INSERT INTO claims(id, workspace_key, number, text, status, created_by_id,"
        " created_by_name, created_at, updated_at) VALUES ((1 << 32) + 9, 1, 9, 'Planted',"
        " 'verified', 'x', 'X', 'now', 'now')",
    )
    messages = [p.message for p in (await audit_store(desk.store)).problems]
    assert "claim #2 is in the history but was deleted outside the bot" in messages
    assert "claim #9 has no history: it was written outside the bot" in messages


async def test_sources_added_after_a_status_change_stay_bound(desk: Desk) -> None:
    await _workflow(desk)
    await desk.service.add_source(desk.reporter, 1, "https://example.com/later", stance="context")
    assert (await audit_store(desk.store)).ok
    await _tamper(
        desk, "UPDATE sources SET note = 'edited' WHERE url = 'https://example.com/later'"
    )
    assert not (await audit_store(desk.store)).ok
