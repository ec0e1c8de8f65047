"""The desk's own checks, published: schema.org ClaimReview JSON-LD and a CSV for the desk.

A ClaimReview carries what Google's structured-data guidelines require and recommend:
``claimReviewed``, ``reviewRating`` (a numeric scale with the verdict as ``alternateName``),
``url``, ``author`` (the newsroom), ``datePublished`` (the day of the verdict), and
``itemReviewed``: the claim, who made it, when, and where it appeared (the sources that are
not rebuttals). The rating scale, documented in the README:

    verified   → ratingValue 5 of 1–5, alternateName "True"
    disputed   → ratingValue 1 of 1–5, alternateName "False"
    unverified → ratingValue 3 of 1–5, alternateName "Unverified"
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.models import ClaimDetail, HistoryEntry, HistoryKind, Stance, Status
from bot.core.ports import Store

RATINGS: dict[Status, tuple[int, str]] = {
    Status.VERIFIED: (5, "True"),
    Status.DISPUTED: (1, "False"),
    Status.UNVERIFIED: (3, "Unverified"),
}
CSV_COLUMNS = (
    "id", "claim", "claimant", "claimed_on", "status", "rating", "reason", "decided_at",
    "decided_by", "sources", "tags", "created_at", "updated_at", "review_url",
)  # fmt: skip


@dataclass(frozen=True)
class Newsroom:
    name: str
    site: str  # its web address: a claim's review is at <site>/claims/<id>.html

    def review_url(self, claim_id: int) -> str:
        return f"{self.site.rstrip('/')}/claims/{claim_id}.html"


@dataclass(frozen=True)
class Published:
    """One claim as published: its detail and the change that gave it its status."""

    detail: ClaimDetail
    verdict: HistoryEntry | None  # None: never changed from unverified
    history: tuple[HistoryEntry, ...] = ()

    @property
    def decided_at(self) -> datetime:
        return self.verdict.at if self.verdict else self.detail.claim.updated_at


async def published(
    store: Store, workspace: str, statuses: Sequence[Status], since: datetime | None
) -> AsyncIterator[Published]:
    """The workspace's claims of ``statuses`` whose verdict is from ``since`` on, by number."""
    async for number in store.claim_numbers(workspace, statuses):
        detail = await store.get_detail(workspace, number, recent_changes=0)
        if detail is None:
            continue
        changes = [
            e
            for e in await store.history(workspace, number)
            if e.kind is HistoryKind.STATUS_CHANGED
        ]
        item = Published(detail, changes[-1] if changes else None)
        if since is None or item.decided_at >= since:
            yield item


def claim_review(item: Published, newsroom: Newsroom) -> dict[str, Any]:
    claim = item.detail.claim
    value, verdict = RATINGS[claim.status]
    appeared = [
        {"@type": "CreativeWork", "url": s.url}
        for s in item.detail.sources
        if s.url and s.stance is not Stance.REFUTES
    ]
    reviewed: dict[str, Any] = {"@type": "Claim"}
    if claim.claimant:
        reviewed["author"] = {"@type": "Person", "name": claim.claimant}
    if claim.claimed_on:
        reviewed["datePublished"] = claim.claimed_on
    if appeared:
        reviewed["appearance"] = appeared
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": newsroom.review_url(claim.id),
        "claimReviewed": claim.text,
        "datePublished": item.decided_at.date().isoformat(),
        "author": {"@type": "Organization", "name": newsroom.name, "url": newsroom.site},
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
        review["reviewBody"] = item.verdict.detail
    return review


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
        newsroom.review_url(claim.id) if newsroom else "",
    ]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
