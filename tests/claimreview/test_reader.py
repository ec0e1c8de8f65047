"""Every shape ClaimReview is published in reads to the same reviews; what cannot be read is
reported with its position."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.claimreview.reader import read_paths
from bot.core.reviews import Malformed, Review
from tests.claimreview.samples import CLAIMS, claim_review, feed, google_response, html_page


def _reviews(items: list[Review | Malformed]) -> list[tuple[str, str, str]]:
    return [(r.claim, r.rating, r.url) for r in items if isinstance(r, Review)]


EXPECTED = [
    (c, rating, f"https://factcheck.example/reviews/{n}") for n, (c, rating) in enumerate(CLAIMS)
]


def test_every_json_ld_shape_reads_the_same_reviews(tmp_path: Path) -> None:
    reviews = [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)]
    shapes = {
        "array.json": json.dumps(reviews),
        "graph.jsonld": json.dumps({"@context": "https://schema.org", "@graph": reviews}),
        "feed.json": feed(reviews),
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert _reviews(list(read_paths([str(tmp_path / name)]))) == EXPECTED, name
    (tmp_path / "one.json").write_text(json.dumps(reviews[0]), encoding="utf-8")
    [single] = read_paths([str(tmp_path / "one.json")])
    assert isinstance(single, Review)
    assert (single.claimant, single.claim_date, single.publisher) == (
        "A. Politician",
        "2025-04-10",
        "Example Checks",
    )
    assert single.position == str(tmp_path / "one.json")


def test_pages_folders_stdin_and_google_responses(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n, (claim, rating) in enumerate(CLAIMS):
        (pages / f"{n}.html").write_text(
            html_page(claim_review(n, claim, rating)), encoding="utf-8"
        )
    assert _reviews(list(read_paths([str(pages)]))) == EXPECTED
    stdin = io.BytesIO(google_response().encode())
    [review] = read_paths(["-"], stdin)
    assert isinstance(review, Review)
    assert (review.claim, review.claimant, review.rating, review.claim_date) == (
        "The Kursk nuclear power plant was shut down by a drone strike.",
        "Social media posts",
        "False",
        "2025-03-02",
    )


def test_a_malformed_item_is_reported_with_its_position_and_the_rest_read(tmp_path: Path) -> None:
    reviews = [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)]
    broken = dict(reviews[1])
    del broken["claimReviewed"]
    path = tmp_path / "feed.json"
    path.write_text(feed([reviews[0], broken, "not an object", reviews[2]]), encoding="utf-8")
    items = list(read_paths([str(path)]))
    assert [(i.position, i.reason) for i in items if isinstance(i, Malformed)] == [
        (f"{path}: item 2", "no claimReviewed (the claim's text)"),
        (f"{path}: item 3", "not a ClaimReview object"),
    ]
    assert _reviews(items) == [EXPECTED[0], EXPECTED[2]]
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    [bad] = read_paths([str(tmp_path / "bad.json")])
    assert isinstance(bad, Malformed)
    assert bad.reason.startswith("not JSON")


def test_a_feed_is_streamed_so_a_broken_tail_keeps_what_came_before(tmp_path: Path) -> None:
    # Read whole, a feed cut short would be one "not JSON"; streamed, the reviews before the
    # break are read (and a feed of 100,000 reviews is never held in memory at once).
    text = feed([claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)])
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index(CLAIMS[2][0])], encoding="utf-8")
    items = list(read_paths([str(path)]))
    assert _reviews(items) == EXPECTED[:2]
    assert isinstance(items[-1], Malformed)
    assert items[-1].reason.startswith("the feed breaks off")
