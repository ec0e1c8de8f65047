"""A member's own short question, asked among 14,231 other fact-checks: the answer must find the
seeded claim it means and never say "this has been checked" of another one.

(Issue 24: "kyiv says its units are still fighting there" was answered with the Ghost of Kyiv,
one rare shared word outweighing the meaning.) The CheckThat! fact-checks are imported through
the store's bulk import and embedded by the real model, as `bench.matching` does: about 100 s.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.matching import DATA, fact_checks
from bot.core.models import MatchTier
from bot.seeds import find_seeds, import_seeds
from tests.conftest import REPO, WS, Desk

# Each question, in a member's words, and the seeded claim it asks about.
QUESTIONS = {
    "kyiv says its units are still fighting there": "Ukrainian troops are still conducting",
    "casualty figures for kyiv's army in the offensive": "Over 76,000 Ukrainian servicemen",
    "did russia take back all of kursk?": "Russian forces have regained full control",
    "Moscow says it has recaptured the whole Kursk oblast": "Russian forces have regained full",
    "putin: the kursk region is fully back under our control": "Russian forces have regained",
    "when did ukraine cross the border into kursk?": "Ukrainian forces entered Russia's Kursk",
    "first time russia was invaded since the second world war": "The Kursk incursion was the first",
    "were north korean soldiers sent to help russia there?": "North Korean troops played",
    "how many ukrainian soldiers were killed or wounded at kursk": "Over 76,000 Ukrainian",
    "putin says ukraine's attempt to seize kursk was a disaster for its army": "catastrophic",
    "has anyone independently confirmed who holds kursk now": "Battlefield claims about who",
    "ukraine lost a bargaining chip for the peace talks": "Losing the Kursk territory",
}


@pytest.mark.sqlite_only
async def test_a_dozen_short_questions_find_their_seeded_claim_and_no_wrong_confident_match(
    smart_desk: Desk,
) -> None:
    stats = await import_seeds(smart_desk.service, WS, find_seeds(REPO / "seeds"))
    seeded = [
        (await smart_desk.service.show(smart_desk.reporter, str(n))).claim
        for n in range(1, stats.claims_added + 1)
    ]
    await smart_desk.store.bulk_import(
        WS, [claim for _, claim in fact_checks(DATA)], at=datetime.now(UTC)
    )
    await smart_desk.embedding.drain()
    problems = []
    for question, opening in QUESTIONS.items():
        meant = [c.id for c in seeded if opening in c.text]
        assert len(meant) == 1, f"{opening!r} names no single seeded claim"
        answer = await smart_desk.service.check_text(smart_desk.reporter, question)
        shown = {c.id: c.match.tier if c.match else None for c in answer}
        wrong = [c for c in answer if c.id != meant[0] and shown[c.id] is MatchTier.CONFIDENT]
        if meant[0] not in shown:
            problems.append(f"{question!r}: #{meant[0]} not shown ({[c.text for c in answer]})")
        if wrong:
            problems.append(f"{question!r}: a wrong confident match, {wrong[0].text!r}")
    assert not problems, "\n".join(problems)
