"""Members say of a check's match "yes, this one" or "not this one": kept once, in the claim's
history; a rejected match is not offered again for that message. Run on both stores."""

from __future__ import annotations

import pytest

from bot.core.audit import audit_store
from bot.core.errors import InvalidInput, NotFound
from bot.core.models import ClaimAdded, HistoryKind, MatchTier, Verdict
from tests.conftest import WS, Desk

MESSAGE = "BREAKING: Putin says Russian forces have regained full control of the Kursk region"
LINK = "https://discord.com/channels/1/2/3"


async def _desk_with_two_claims(desk: Desk) -> tuple[int, int]:
    ids = []
    for text in (
        "Russian forces have regained full control of the Kursk region.",
        "Ukrainian troops are still fighting in the Kursk region, whatever Russia claims.",
    ):
        added = await desk.service.add_claim(desk.reporter, text, force=True)
        assert isinstance(added, ClaimAdded)
        ids.append(added.claim.id)
    return ids[0], ids[1]


async def test_a_confirmed_match_is_an_appearance_in_the_claims_history(desk: Desk) -> None:
    first, _second = await _desk_with_two_claims(desk)
    outcome = await desk.service.check_message(desk.reporter, MESSAGE, link=LINK)
    assert [m.id for m in outcome.matches][:1] == [first]
    assert outcome.matches[0].match is not None
    assert outcome.matches[0].match.tier is MatchTier.CONFIDENT
    given = await desk.service.give_verdict(
        desk.reporter, outcome.check_id, f"#{first}", Verdict.CONFIRMED
    )
    assert (given.claim.id, given.verdict) == (first, Verdict.CONFIRMED)
    entry = (await desk.service.history(desk.reporter, first))[-1]
    assert entry.kind is HistoryKind.MATCH_CONFIRMED
    assert entry.detail == f"check {outcome.check_id}, {LINK}"
    assert entry.actor.name == "Rita Reporter"
    # The claim itself is unchanged, and the chain still verifies.
    assert (await desk.service.show(desk.reporter, first)).claim.version == 1
    report = await audit_store(desk.store)
    assert report.ok, report


BOTH = "Russian forces regained control of the Kursk region, but Ukrainian troops are fighting"


async def test_a_rejected_match_is_not_offered_again_for_that_message(desk: Desk) -> None:
    first, second = await _desk_with_two_claims(desk)
    outcome = await desk.service.check_message(desk.reporter, BOTH)
    assert {first, second} <= {m.id for m in outcome.matches}
    await desk.service.give_verdict(desk.editor, outcome.check_id, second, Verdict.REJECTED)
    again = await desk.service.check_message(desk.reporter, "  " + BOTH.upper() + " ")
    assert second not in [m.id for m in again.matches]
    assert first in [m.id for m in again.matches]
    # Another message may still repeat it.
    other = await desk.service.check_text(
        desk.reporter, "Ukrainian troops are still fighting in the Kursk region"
    )
    assert second in [m.id for m in other]
    entry = (await desk.service.history(desk.reporter, second))[-1]
    assert entry.kind is HistoryKind.MATCH_REJECTED
    assert entry.actor.name == "Eddie Editor"
    exported = await desk.service.exported_matches(WS)
    verdicts = {(e.check_id, e.match.claim_id): e.verdict for e in exported}
    assert verdicts[(outcome.check_id, second)] is Verdict.REJECTED
    assert verdicts[(outcome.check_id, first)] is None


async def test_bad_verdicts_are_refused_and_change_nothing(desk: Desk) -> None:
    first, _second = await _desk_with_two_claims(desk)
    outcome = await desk.service.check_message(desk.reporter, MESSAGE)
    before = await desk.service.history(desk.reporter, first)
    with pytest.raises(NotFound, match="There is no check 999 here"):
        await desk.service.give_verdict(desk.reporter, 999, first, Verdict.CONFIRMED)
    with pytest.raises(InvalidInput, match="is not a check id"):
        await desk.service.give_verdict(desk.reporter, "twelve", first, Verdict.CONFIRMED)
    added = await desk.service.add_claim(desk.reporter, "The mayor opened a new library.")
    assert isinstance(added, ClaimAdded)
    with pytest.raises(InvalidInput, match=f"#{added.claim.id} was not among check"):
        await desk.service.give_verdict(
            desk.reporter, outcome.check_id, added.claim.id, Verdict.CONFIRMED
        )
    # Another workspace's check is not found there.
    with pytest.raises(NotFound):
        await desk.service.give_verdict(desk.outsider, outcome.check_id, first, Verdict.REJECTED)
    await desk.service.give_verdict(desk.reporter, outcome.check_id, first, Verdict.CONFIRMED)
    with pytest.raises(InvalidInput, match=r"was already confirmed .* by Rita Reporter"):
        await desk.service.give_verdict(desk.editor, outcome.check_id, first, Verdict.REJECTED)
    after = await desk.service.history(desk.reporter, first)
    assert len(after) == len(before) + 1
