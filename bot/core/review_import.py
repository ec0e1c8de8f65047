"""Published fact-checks into the desk: each review a claim with the review as its source.

Rules (the readers in bot/claimreview/ only parse):
- a review whose link is already a source in the workspace was imported before: it is skipped,
  so importing the same feed twice adds nothing;
- a review of a claim the desk already holds (the near-duplicate check of ``/claim add``)
  becomes a source of that claim; its status is the desk's own and is left alone;
- any other review becomes a claim, with the review as its source (link, publisher, title, the
  rating verbatim in its note, a stance from the rating) and the status the rating maps to
  (ratings.py), in the history as the importer's change; reviews in one import of the same
  claim text become one claim with several sources;
- a review that cannot be read, or whose claim or link Claimdesk refuses, is reported with its
  position and skipped; the rest imports.
New claims are written with the store's bulk import, a batch per transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from bot.core import validation as v
from bot.core.errors import InvalidInput
from bot.core.matching.matcher import Matcher, Purpose
from bot.core.models import MatchTier, Status
from bot.core.ports import (
    Clock,
    ImportedChange,
    ImportedClaim,
    ImportedSource,
    ListQuery,
    SourceExists,
)
from bot.core.ports.stores import ArchiveStore, ClaimStore
from bot.core.presentation import shorten
from bot.core.provenance import REVIEW_IMPORT
from bot.core.ratings import RatingTable
from bot.core.reviews import Malformed, Review, ReviewItem

BATCH = 2000


@dataclass
class ImportReport:
    claims_added: int = 0
    grouped: int = 0  # reviews that joined a claim of the same import as a further source
    attached: int = 0  # reviews added as sources of claims the desk held
    already_here: int = 0
    malformed: list[Malformed] = field(default_factory=list)

    @property
    def reviews_read(self) -> int:
        counted = self.claims_added + self.grouped + self.attached + self.already_here
        return counted + len(self.malformed)


@dataclass
class _NewClaim:
    item: ImportedClaim
    sources: list[ImportedSource]


class ReviewStore(ClaimStore, ArchiveStore, Protocol):
    """What an import of published fact-checks reads and writes: whether the desk holds claims
    yet, which review links it already has, and the bulk writer for the rest."""


class ReviewImporter:
    def __init__(
        self,
        store: ReviewStore,
        matcher: Matcher,
        clock: Clock,
        ratings: RatingTable,
        limits: v.Limits | None = None,
    ) -> None:
        self._store = store
        self._matcher = matcher
        self._clock = clock
        self._ratings = ratings
        self._limits = limits or v.Limits()

    async def run(
        self,
        workspace: str,
        items: Iterable[ReviewItem],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        report = ImportReport()
        # Only claims the desk held before this import are checked for near-duplicates: the
        # import's own claims are grouped by their text (fast enough for a 100,000-review feed).
        first = await self._store.list_claims(workspace, ListQuery(page_size=1))
        desk_had_claims = bool(first.items)
        seen: set[str] = set()
        batch: list[Review] = []
        for item in items:
            if isinstance(item, Malformed):
                report.malformed.append(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                await self._import_batch(workspace, batch, seen, desk_had_claims, report)
                batch = []
                if progress:
                    progress(report.reviews_read)
        if batch:
            await self._import_batch(workspace, batch, seen, desk_had_claims, report)
        if progress:
            progress(report.reviews_read)
        return report

    async def _import_batch(
        self,
        workspace: str,
        batch: list[Review],
        seen: set[str],
        desk_had_claims: bool,
        report: ImportReport,
    ) -> None:
        read: list[tuple[Review, ImportedSource, ImportedClaim]] = []
        # A history entry's time is when the desk recorded it; the review's own date is data
        # of the source (its note), never the entry's time: the history is not backdated.
        now = self._clock.now()
        for review in batch:
            try:
                read.append((review, *self._read(review, now)))
            except InvalidInput as refusal:
                report.malformed.append(Malformed(review.position, str(refusal)))
        # Links as stored (an internationalised host in punycode), so a second import of the
        # same feed finds them.
        present = await self._store.source_urls_present(
            workspace, [s.url or "" for _, s, _ in read]
        )
        new: dict[str, _NewClaim] = {}
        for review, source, claim in read:
            url = source.url or ""
            if url in present or url in seen:
                report.already_here += 1
                continue
            seen.add(url)
            if desk_had_claims and await self._attach(workspace, review, source):
                report.attached += 1
                continue
            key = " ".join(claim.text.casefold().split())
            if key in new:
                new[key].sources.append(source)
                report.grouped += 1
            else:
                new[key] = _NewClaim(claim, [source])
        claims = [replace(c.item, sources=tuple(c.sources)) for c in new.values()]
        if claims:
            await self._store.bulk_import(workspace, claims, at=now)
            report.claims_added += len(claims)

    def _read(self, review: Review, at: datetime) -> tuple[ImportedSource, ImportedClaim]:
        """The review as a source and its claim as a new claim, recorded ``at``; InvalidInput
        if refused."""
        text = v.claim_text(review.claim, self._limits)
        url = v.url(review.url, self._limits)
        reviewed = _when(review.review_date)
        status = self._ratings.status(review.rating)
        rating = review.rating or "no rating given"
        who = shorten(review.publisher, 80)
        said = (
            f"Rated “{rating}”"
            + (f" by {who}" if who else "")
            + (f" on {reviewed.date().isoformat()}" if reviewed else "")
        )
        source = ImportedSource(
            url=url,
            title=v.clean_text(review.title)[:300],
            outlet=who or v.outlet_from_url(url),
            stance=self._ratings.stance(status),
            note=v.clean_text(said)[:500],
            added_by=REVIEW_IMPORT,
            at=at,
        )
        changes = (
            (
                ImportedChange(
                    status, f"{who or 'A fact-checker'} rated it “{rating}”", REVIEW_IMPORT, at
                ),
            )
            if status is not Status.UNVERIFIED
            else ()
        )
        claim = ImportedClaim(
            text=text,
            claimant=shorten(v.clean_text(review.claimant), self._limits.claimant),
            # When the claim was made, or failing that, when it was reviewed.
            claimed_on=_date_or_none(review.claim_date or review.review_date),
            tags=(),
            created_by=REVIEW_IMPORT,
            created_at=at,
            changes=changes,
        )
        return source, claim

    async def claim_of(self, workspace: str, review_url: str) -> int | None:
        """The claim that holds the review (its link) as a source, if any."""
        return await self._store.claim_with_source(workspace, review_url)

    async def _attach(self, workspace: str, review: Review, source: ImportedSource) -> bool:
        """Add the review to a claim the desk holds that says the same; False if none does."""
        matches = await self._matcher.match(workspace, review.claim, Purpose.DUPLICATE, limit=1)
        # Confident matches come first: a claim only possibly the same keeps the review apart.
        if not matches or not matches[0].match or matches[0].match.tier is not MatchTier.CONFIDENT:
            return False
        with contextlib.suppress(SourceExists):  # another import added it meanwhile
            await self._store.add_source(
                workspace,
                matches[0].id,
                source.as_new(),
                actor=REVIEW_IMPORT,
                at=source.at,
            )
        return True


def _when(date: str | None) -> datetime | None:
    if not date:
        return None
    try:
        return datetime.fromisoformat(date).replace(tzinfo=UTC)
    except ValueError:
        return None


def _date_or_none(date: str | None) -> str | None:
    try:
        return v.claimed_on(date)
    except InvalidInput:
        return None
