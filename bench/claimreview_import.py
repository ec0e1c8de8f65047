"""Importing published fact-checks: a generated DataFeed of ClaimReviews, through the code of
`claimdesk import claimreview` (reader, importer, bulk import). Prints reviews/s and peak RSS.

    .venv/bin/python -m bench.claimreview_import              # 100,000 reviews
    .venv/bin/python -m bench.claimreview_import --reviews 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.generate import Archive
from bench.stats import peak_rss_mb
from bot.claimreview.reader import read_paths
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.ports import SystemClock
from bot.core.ratings import RatingTable
from bot.core.review_import import ReviewImporter
from bot.store.sqlite import SqliteStore

RATINGS = ["False", "True", "Mostly false", "Pants on Fire", "Misleading", "Unproven", "Correct"]
PUBLISHERS = ["Example Checks", "Verify Desk", "Claim Watch", "Faktencheck", "Checkeado"]


def write_feed(path: Path, reviews: int, seed: int) -> None:
    """A DataFeed as fact-check databases publish it, written item by item (never held whole)."""
    archive, rng = Archive(seed), random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [')
        for n in range(reviews):
            review = {
                "@type": "ClaimReview",
                "url": f"https://factcheck.example/{n}",
                "name": archive.text(rng, 5, 12),
                "datePublished": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "author": {"@type": "Organization", "name": rng.choice(PUBLISHERS)},
                "claimReviewed": archive.text(rng, 10, 30),
                "itemReviewed": {"@type": "Claim", "author": {"name": archive.name(rng)}},
                "reviewRating": {"@type": "Rating", "alternateName": rng.choice(RATINGS)},
            }
            element = {"@type": "DataFeedItem", "item": [review]}
            out.write(("," if n else "") + json.dumps(element))
        out.write("]}")


async def run(args: argparse.Namespace, out: Console) -> dict[str, float]:
    folder = Path(args.data_dir or tempfile.mkdtemp(prefix="claimdesk-claimreview-"))
    feed = folder / "feed.json"
    write_feed(feed, args.reviews, args.seed)
    store = await SqliteStore.open(folder / "import.sqlite3")
    try:
        importer = ReviewImporter(
            store,
            Matcher(store, SemanticModel(None, name="none")),
            SystemClock(),
            RatingTable(),
        )
        start = time.perf_counter()
        report = await importer.run(
            "console:bench",
            read_paths([str(feed)]),
            progress=lambda n: out.print(f"  {n:,} reviews read", end="\r"),
        )
        seconds = time.perf_counter() - start
    finally:
        await store.close()
    return {
        "reviews": report.reviews_read,
        "claims": report.claims_added,
        "seconds": round(seconds, 1),
        "reviews_per_s": round(report.reviews_read / seconds),
        "feed_mb": round(feed.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--data-dir", help="where to write the feed and the store (default: temp)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    out = Console(highlight=False)
    figures = asyncio.run(run(args, out))
    table = Table(title="ClaimReview import: a generated DataFeed")
    for key in figures:
        table.add_column(key, justify="right")
    table.add_row(*(f"{v:,}" for v in figures.values()))
    out.print(table)
    if args.out:
        report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **figures}
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
