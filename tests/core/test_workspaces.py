"""Nothing crosses workspaces, not even an id lookup."""

from __future__ import annotations

import pytest

from bot.core.errors import NotFound
from bot.core.models import ClaimAdded
from tests.conftest import Desk


async def test_each_workspace_numbers_its_own_claims_and_sees_only_them(desk: Desk) -> None:
    mine = await desk.service.add_claim(
        desk.reporter, "The mayor said the bridge will reopen in May."
    )
    theirs = await desk.service.add_claim(
        desk.outsider, "The mayor said the bridge will reopen in May."
    )
    assert isinstance(mine, ClaimAdded)
    assert isinstance(theirs, ClaimAdded)
    assert mine.claim.id == theirs.claim.id == 1  # no duplicate warning across workspaces either
    found = await desk.service.search(desk.outsider, "bridge")
    assert found.total == 1


async def test_another_workspaces_claim_id_is_not_found(desk: Desk) -> None:
    await desk.service.add_claim(desk.reporter, "The mayor said the bridge will reopen in May.")
    before = await desk.snapshot()
    with pytest.raises(NotFound, match="no claim #1"):
        await desk.service.show(desk.outsider, 1)
    with pytest.raises(NotFound):
        await desk.service.history(desk.outsider, 1)
    with pytest.raises(NotFound):
        await desk.service.add_source(desk.outsider, 1, "https://example.com/x")
    # An administrator of the other workspace is still no moderator here.
    with pytest.raises(NotFound):
        await desk.service.change_status(desk.outsider, 1, "verified", "looks fine to me")
    assert (await desk.snapshot()) == before
    assert (await desk.service.search(desk.outsider, "bridge")).total == 0
