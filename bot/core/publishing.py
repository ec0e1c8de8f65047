"""The desk's own checks, published: schema.org ClaimReview JSON-LD and a CSV for the desk.

A ClaimReview carries what Google's structured-data guidelines require and recommend:
``claimReviewed``, ``reviewRating`` (a numeric scale with the verdict as ``alternateName``),
``url``, ``author`` (the newsroom; for an imported fact-check, published only on request, its
own publisher and address), ``datePublished`` (the day of the verdict), and
``itemReviewed``: the claim, who made it, when, and where it appeared (the sources that are
not rebuttals). The rating scale, documented in the README:

    verified   → ratingValue 5 of 1–5, alternateName "True"
    disputed   → ratingValue 1 of 1–5, alternateName "False"
    unverified → ratingValue 3 of 1–5, alternateName "Unverified"
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.core.models import ClaimDetail, HistoryEntry, HistoryKind, Source, Stance, Status
from bot.core.ports import ClaimReader
from bot.core.provenance import Origin, origin_of

RATINGS: dict[Status, tuple[int, str]] = {
    Status.VERIFIED: (5, "True"),
    Status.DISPUTED: (1, "False"),
    Status.UNVERIFIED: (3, "Unverified"),
}
CSV_COLUMNS = (
    "id", "claim", "claimant", "claimed_on", "status", "rating", "reason", "decided_at",
    "decided_by", "sources", "tags", "created_at", "updated_at", "review_url", "verdict_of",
    "requests", "assignee",
)  # fmt: skip


@dataclass(frozen=True)
class Newsroom:
    name: str
    site: str  # its web address: a claim's review is at <site>/claims/<id>.html

    def review_url(self, claim_id: int) -> str:
        return f"{self.site.rstrip('/')}/claims/{claim_id}.html"

    def author(self) -> dict[str, Any]:
        return {"@type": "Organization", "name": self.name, "url": self.site}


@dataclass(frozen=True)
class Published:
    """One claim as published: its detail, the change that gave it its status, its history."""

    detail: ClaimDetail
    verdict: HistoryEntry | None  # None: never changed from unverified
    history: tuple[HistoryEntry, ...] = ()

    @property
    def decided_at(self) -> datetime:
        return self.verdict.at if self.verdict else self.detail.claim.updated_at

    @property
    def origin(self) -> Origin:
        """Whose verdict it is: the newsroom's, an imported fact-check's, or the seeds'."""
        decided_by = self.verdict.actor if self.verdict else self.detail.claim.created_by
        return origin_of(decided_by)

    @property
    def review(self) -> Source | None:
        """For an imported verdict, the published fact-check it came from (its first source
        brought in by the importer): its link and publisher are what the export credits."""
        return next(
            (s for s in self.detail.sources if s.url and origin_of(s.added_by) is Origin.IMPORTED),
            None,
        )

    @property
    def credited_review(self) -> Source | None:
        """The fact-check an imported verdict is credited to (None: the newsroom's own)."""
        return self.review if self.origin is Origin.IMPORTED else None

    def review_url(self, newsroom: Newsroom) -> str:
        """Where the review is read: the newsroom's page, or an imported fact-check's own."""
        review = self.credited_review
        if review is not None and review.url:
            return review.url
        return newsroom.review_url(self.detail.claim.id)


async def published(
    store: ClaimReader,
    workspace: str,
    statuses: Sequence[Status],
    since: datetime | None,
    origins: Collection[Origin] = (Origin.DESK,),
) -> AsyncIterator[Published]:
    """The workspace's claims of ``statuses`` whose verdict is from ``since`` on and of one of
    ``origins`` (by default only the newsroom's own), by number, each with its whole history."""
    async for number in store.claim_numbers(workspace, statuses):
        detail = await store.get_detail(workspace, number, recent_changes=0)
        if detail is None:
            continue
        history = tuple(await store.history(workspace, number))
        changes = [e for e in history if e.kind is HistoryKind.STATUS_CHANGED]
        item = Published(detail, changes[-1] if changes else None, history)
        if item.origin not in origins:
            continue
        if since is None or item.decided_at >= since:
            yield item


def claim_review(item: Published, newsroom: Newsroom) -> dict[str, Any]:
    """The claim's ClaimReview: the newsroom's own at its page, or an imported one credited to
    its publisher at the fact-check's own address."""
    claim = item.detail.claim
    value, verdict = RATINGS[claim.status]
    appeared = [
        {"@type": "CreativeWork", "url": s.url}
        for s in item.detail.sources
        if s.url and s.stance is not Stance.REFUTES and s is not item.review
    ]
    reviewed: dict[str, Any] = {"@type": "Claim"}
    if claim.claimant:
        reviewed["author"] = {"@type": "Person", "name": claim.claimant}
    if claim.claimed_on:
        reviewed["datePublished"] = claim.claimed_on
    if appeared:
        reviewed["appearance"] = appeared
    review = item.credited_review
    url = item.review_url(newsroom)
    author = _publisher(review) if review is not None else newsroom.author()
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.text,
        "datePublished": item.decided_at.date().isoformat(),
        "author": author,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict,
        },
        "itemReviewed": reviewed,
    }
    if item.verdict:
        document["reviewBody"] = item.verdict.detail
    return document


def _publisher(review: Source) -> dict[str, Any]:
    """The organisation that published an imported fact-check, as its source names it."""
    parts = urlsplit(review.url or "")
    return {
        "@type": "Organization",
        "name": review.outlet or parts.hostname or "",
        "url": f"{parts.scheme}://{parts.netloc}",
    }


def csv_row(item: Published, newsroom: Newsroom | None) -> list[str]:
    claim = item.detail.claim
    sources = " ; ".join(
        f"{s.stance.value} {s.url or s.title}" for s in item.detail.sources if s.url or s.title
    )
    return [
        str(claim.id),
        claim.text,
        claim.claimant,
        claim.claimed_on or "",
        claim.status.value,
        RATINGS[claim.status][1],
        item.verdict.detail if item.verdict else "",
        item.decided_at.isoformat(),
        item.verdict.actor.name if item.verdict else "",
        sources,
        " ".join(claim.tags),
        claim.created_at.isoformat(),
        claim.updated_at.isoformat(),
        item.review_url(newsroom) if newsroom else "",
        item.origin.value,
        str(claim.requests),  # how often members asked about it (the desk's queue)
        claim.assignee.name if claim.assignee else "",
    ]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
