"""Looking outside the desk: the published fact-checks of other organisations for a text
(Google's Fact Check Tools), and importing one of them into the desk.

The search itself is a port (``FactCheckSearch``), implemented in bot/factcheck/. What a person
last looked up is kept in the store (a workspace setting per person), so that "import 2" means
the second result they saw, whichever bot process answers the click (a Slack replica, another
Discord shard) and after a restart.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Protocol

from bot.core import validation as v
from bot.core.errors import InvalidInput, LookupFailed
from bot.core.models import Actor
from bot.core.ports import Clock, SettingsStore
from bot.core.review_import import ReviewImporter
from bot.core.reviews import Review

RESULTS = 5
HOW_TO_GET_A_KEY = (
    "Looking up other organisations' fact-checks needs a Google Fact Check Tools API key: "
    "create one at https://console.cloud.google.com/apis/credentials (with the Fact Check "
    "Tools API enabled for its project), then set GOOGLE_FACTCHECK_API_KEY where Claimdesk runs."
)


class FactCheckSearch(Protocol):
    async def search(self, text: str, *, limit: int) -> list[Review]:
        """Published reviews for ``text``; raises LookupFailed with a plain reason."""
        ...


@dataclass(frozen=True)
class LookupResult:
    query: str
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class Adopted:
    review: Review
    claim_id: int
    outcome: str  # "new": a claim of its own; "attached": a source of a stored claim;
    # "already": it was in the desk before


def _remembered_as(user_id: str) -> str:
    """The workspace setting that holds what ``user_id`` last looked up."""
    return f"lookup:{user_id}"


class Lookup:
    def __init__(
        self,
        search: FactCheckSearch | None,
        importer: ReviewImporter,
        store: SettingsStore,
        clock: Clock,
    ) -> None:
        self._search = search
        self._importer = importer
        self._store = store
        self._clock = clock

    async def lookup(self, actor: Actor, text: str) -> LookupResult:
        if not (text or "").strip():
            raise InvalidInput("Say what to look up: /claim lookup <text>")
        query = v.query(text, v.Limits())
        if self._search is None:
            raise LookupFailed(HOW_TO_GET_A_KEY)
        reviews = tuple((await self._search.search(query, limit=RESULTS))[:RESULTS])
        await self._store.set_setting(
            actor.workspace,
            _remembered_as(actor.user_id),
            json.dumps([dataclasses.asdict(r) for r in reviews], ensure_ascii=False),
            at=self._clock.now(),
        )
        return LookupResult(query, reviews)

    async def adopt(self, actor: Actor, number: int | str) -> Adopted:
        """Import the ``number``-th review of the person's last lookup into the desk."""
        kept = await self._store.setting(actor.workspace, _remembered_as(actor.user_id))
        reviews = tuple(Review(**r) for r in json.loads(kept)) if kept else ()
        if not reviews:
            raise InvalidInput("Look something up first: /claim lookup <text>")
        given = str(number).strip().lstrip("#")
        n = int(given) if v.is_whole_number(given) else 0
        if not 1 <= n <= len(reviews):
            raise InvalidInput(
                f"Your last lookup had {len(reviews)} results: pick 1 to {len(reviews)}."
            )
        review = reviews[n - 1]
        report = await self._importer.run(actor.workspace, [review])
        if report.malformed:
            raise InvalidInput(f"That review cannot be imported: {report.malformed[0].reason}")
        claim_id = await self._importer.claim_of(actor.workspace, review.url)
        if claim_id is None:
            raise InvalidInput("That review could not be found in the desk after its import.")
        outcome = "new" if report.claims_added else "attached" if report.attached else "already"
        return Adopted(review, claim_id, outcome)
