"""A published fact-check as Claimdesk reads it (schema.org ClaimReview, whatever its shape),
or the reason one could not be read. Readers (bot/claimreview/) produce these; the importer
(review_import.py) turns them into claims and sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Review:
    claim: str
    claimant: str
    claim_date: str | None  # YYYY-MM-DD, as far as the review says
    url: str
    publisher: str
    publisher_site: str
    title: str
    rating: str  # verbatim: "False", "Pants on Fire", "Mostly true"
    review_date: str | None
    position: str  # where it was read: "feed.json: item 12"


@dataclass(frozen=True, slots=True)
class Malformed:
    position: str
    reason: str


ReviewItem = Review | Malformed
