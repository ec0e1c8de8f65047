"""Published fact-checks into the desk: claims with the review as source, statuses from the
rating table, nothing twice, and reviews of a stored claim attached to it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.claimreview.reader import read_paths
from bot.cli import main
from bot.core.audit import audit_store
from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.models import ClaimAdded, HistoryKind, Stance, Status
from bot.core.ratings import RatingTable
from bot.core.review_import import ReviewImporter
from tests.claimreview.samples import CLAIMS, claim_review, feed
from tests.conftest import WS, Desk, StepClock


def _feed_file(tmp_path: Path, reviews: list[object]) -> Path:
    path = tmp_path / "feed.json"
    path.write_text(feed(reviews), encoding="utf-8")
    return path


def _importer(desk: Desk, ratings: RatingTable | None = None) -> ReviewImporter:
    words_only = Matcher(desk.store, SemanticModel(None, name="none"))
    return ReviewImporter(desk.store, words_only, StepClock(), ratings or RatingTable())


async def test_reviews_become_claims_with_status_source_and_history(
    desk: Desk, tmp_path: Path
) -> None:
    path = _feed_file(tmp_path, [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)])
    report = await _importer(desk).run(WS, read_paths([str(path)]))
    assert (report.claims_added, report.attached, report.already_here) == (3, 0, 0)
    statuses = [(await desk.service.show(desk.reporter, n)).claim.status for n in (1, 2, 3)]
    assert statuses == [Status.VERIFIED, Status.UNVERIFIED, Status.DISPUTED]
    shown = await desk.service.show(desk.reporter, 3)
    assert shown.claim.claimant == "A. Politician"
    assert shown.claim.claimed_on == "2025-04-10"
    [source] = shown.sources
    assert (source.url, source.outlet, source.stance) == (
        "https://factcheck.example/reviews/2",
        "Example Checks",
        Stance.REFUTES,
    )
    # The rating verbatim, and the review's own date: data of the source.
    assert source.note == "Rated “Pants on Fire” by Example Checks on 2025-04-12"
    assert source.title
    history = await desk.service.history(desk.reporter, 3)
    # Recorded when the desk imported it (the importer's clock's first reading), never
    # backdated to the review's date.
    assert {e.at for e in history} == {datetime(2026, 11, 2, 9, 1, tzinfo=UTC)}
    assert source.added_at == datetime(2026, 11, 2, 9, 1, tzinfo=UTC)
    assert [(e.kind, e.actor.name) for e in history] == [
        (HistoryKind.CREATED, "ClaimReview import"),
        (HistoryKind.SOURCE_ADDED, "ClaimReview import"),
        (HistoryKind.STATUS_CHANGED, "ClaimReview import"),
    ]
    assert history[-1].detail == "Example Checks rated it “Pants on Fire”"
    assert (await audit_store(desk.store)).ok


async def test_importing_the_same_feed_twice_adds_nothing(desk: Desk, tmp_path: Path) -> None:
    path = _feed_file(tmp_path, [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)])
    await _importer(desk).run(WS, read_paths([str(path)]))
    before = await desk.snapshot()
    again = await _importer(desk).run(WS, read_paths([str(path)]))
    assert (again.claims_added, again.attached, again.already_here) == (0, 0, 3)
    assert (await desk.snapshot()) == before


async def test_a_review_of_a_stored_claim_is_added_to_it(desk: Desk, tmp_path: Path) -> None:
    stored = await desk.service.add_claim(
        desk.reporter, "North Korean troops were deployed to the Kursk region to fight for Russia."
    )
    assert isinstance(stored, ClaimAdded)
    path = _feed_file(tmp_path, [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)])
    report = await _importer(desk).run(WS, read_paths([str(path)]))
    assert (report.claims_added, report.attached) == (2, 1)
    shown = await desk.service.show(desk.reporter, stored.claim.id)
    assert [s.url for s in shown.sources] == ["https://factcheck.example/reviews/0"]
    assert shown.claim.status is Status.UNVERIFIED  # the desk's own status is left alone


async def test_malformed_reviews_are_counted_and_the_rest_imports(
    desk: Desk, tmp_path: Path
) -> None:
    reviews: list[object] = [claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)]
    reviews.insert(1, claim_review(9, "too short", "False"))
    reviews.insert(2, claim_review(10, CLAIMS[0][0] + " Again.", "False", url="javascript:x"))
    path = _feed_file(tmp_path, reviews)
    report = await _importer(desk).run(WS, read_paths([str(path)]))
    assert report.claims_added == 3
    assert [(m.position, m.reason[:30]) for m in report.malformed] == [
        (f"{path}: item 2", "The claim text is too short (9"),
        (f"{path}: item 3", "'javascript:x' is not a web li"),
    ]


async def test_reviews_of_one_claim_in_one_import_make_one_claim(
    desk: Desk, tmp_path: Path
) -> None:
    text = CLAIMS[2][0]
    path = _feed_file(
        tmp_path, [claim_review(1, text, "False"), claim_review(2, f"  {text.upper()} ", "False")]
    )
    report = await _importer(desk).run(WS, read_paths([str(path)]))
    assert (report.claims_added, report.grouped) == (1, 1)
    assert len((await desk.service.show(desk.reporter, 1)).sources) == 2


async def test_the_rating_table_is_extended_by_the_config(desk: Desk, tmp_path: Path) -> None:
    path = _feed_file(tmp_path, [claim_review(0, CLAIMS[1][0], "UNPROVEN")])
    ratings = RatingTable({"unproven": Status.DISPUTED})
    await _importer(desk, ratings).run(WS, read_paths([str(path)]))
    assert (await desk.service.show(desk.reporter, 1)).claim.status is Status.DISPUTED


def test_the_cli_imports_and_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(
        json.dumps([claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)]), encoding="utf-8"
    )
    db = str(tmp_path / "c.sqlite3")
    assert main(["--db", db, "import", "claimreview", str(path), "--workspace", "console:x"]) == 0
    out = capsys.readouterr().out
    assert "Read 3 reviews into console:x: 3 new claims" in out
    assert main(["--db", db, "import", "claimreview", str(path), "--workspace", "console:x"]) == 0
    assert "3 imported before" in capsys.readouterr().out


async def test_a_claim_with_no_date_of_its_own_takes_the_reviews(
    desk: Desk, tmp_path: Path
) -> None:
    review = claim_review(0, CLAIMS[0][0], "True")
    del review["itemReviewed"]["datePublished"]
    await _importer(desk).run(WS, read_paths([str(_feed_file(tmp_path, [review]))]))
    assert (await desk.service.show(desk.reporter, 1)).claim.claimed_on == "2025-04-12"


async def test_a_review_on_an_internationalised_host_is_imported_once(
    desk: Desk, tmp_path: Path
) -> None:
    review = claim_review(0, CLAIMS[0][0], "True", url="https://факты.example/review/1")
    path = _feed_file(tmp_path, [review])
    await _importer(desk).run(WS, read_paths([str(path)]))
    again = await _importer(desk).run(WS, read_paths([str(path)]))
    assert (again.claims_added, again.already_here) == (0, 1)
    [source] = (await desk.service.show(desk.reporter, 1)).sources
    assert source.url == "https://xn--80auyf2b.example/review/1"  # stored as punycode


async def test_a_review_only_possibly_of_a_stored_claim_becomes_a_claim_of_its_own(
    smart_desk: Desk, embedder: Embedder, tmp_path: Path
) -> None:
    # Close in meaning (0.73), not the same words: /claim add would ask "possibly the same
    # claim?"; an import has nobody to ask, so it keeps the review apart.
    stored = await smart_desk.service.add_claim(
        smart_desk.reporter,
        "Russian forces have regained full control of the Kursk region.",
        claimant="Vladimir Putin",
    )
    assert isinstance(stored, ClaimAdded)
    await smart_desk.embedding.drain()
    review = "Moscow says it has recaptured the whole Kursk oblast"
    shown = await smart_desk.service.check_text(smart_desk.reporter, review)
    similarity = shown[0].match.similarity if shown and shown[0].match else None
    assert similarity is not None
    assert 0.70 <= similarity < 0.80
    path = _feed_file(tmp_path, [claim_review(0, review, "False")])
    matcher = Matcher(smart_desk.store, SemanticModel.ready_with(embedder))
    importer = ReviewImporter(smart_desk.store, matcher, StepClock(), RatingTable())
    report = await importer.run(WS, read_paths([str(path)]))
    assert (report.claims_added, report.attached) == (1, 0)
    kept = await smart_desk.service.show(smart_desk.reporter, stored.claim.id)
    assert kept.sources == ()
