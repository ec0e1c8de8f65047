"""ClaimReview in the shapes fact-checkers and databases publish it (schema.org, Google's
Fact Check Tools): built here so every test reads the same documents."""

from __future__ import annotations

import json
from typing import Any


def claim_review(n: int, claim: str, rating: str, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example/reviews/{n}",
        "name": f"Fact check {n}: {claim[:40]}",
        "datePublished": "2025-04-12",
        "author": {
            "@type": "Organization",
            "name": "Example Checks",
            "url": "https://factcheck.example",
        },
        "claimReviewed": claim,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Politician"},
            "datePublished": "2025-04-10",
        },
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": rating},
        **extra,
    }


CLAIMS = [
    ("North Korean troops were deployed to the Kursk region to fight for Russia.", "True"),
    ("Ukraine lost 76,000 soldiers in the Kursk offensive.", "Unproven"),
    ("Russian forces regained full control of the Kursk region in April 2025.", "Pants on Fire"),
]


def feed(reviews: list[Any]) -> str:
    """The DataFeed form: reviews spread over two elements."""
    half = len(reviews) // 2
    return json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "dataFeedElement": [
                {"@type": "DataFeedItem", "item": reviews[:half]},
                {"@type": "DataFeedItem", "item": reviews[half:]},
            ],
        }
    )


def html_page(review: dict[str, Any]) -> str:
    return (
        "<!doctype html><html><head><title>Fact check</title>"
        '<script type="application/ld+json">'
        + json.dumps({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, review]})
        + "</script></head><body><p>Our verdict…</p></body></html>"
    )


def google_response() -> str:
    return json.dumps(
        {
            "claims": [
                {
                    "text": "The Kursk nuclear power plant was shut down by a drone strike.",
                    "claimant": "Social media posts",
                    "claimDate": "2025-03-02T00:00:00Z",
                    "claimReview": [
                        {
                            "publisher": {"name": "Example Checks", "site": "factcheck.example"},
                            "url": "https://factcheck.example/reviews/npp",
                            "title": "No, the plant was not shut down",
                            "reviewDate": "2025-03-04T00:00:00Z",
                            "textualRating": "False",
                            "languageCode": "en",
                        }
                    ],
                }
            ],
            "nextPageToken": "abc",
        }
    )
