"""The desk's checks published as ClaimReview JSON-LD (with Google's required and recommended
fields) and as CSV; what is exported reads back through the importer's own reader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.claimreview.reader import read_paths
from bot.cli import main
from bot.core.reviews import Review
from tests.claimreview.samples import CLAIMS, claim_review, feed

CONFIG = '[newsroom]\nname = "Kursk Desk"\nsite = "https://checks.example.org"\n'


def _desk(tmp_path: Path) -> tuple[Path, Path]:
    """The seeded desk, where the newsroom's own moderator has decided two claims (#5 verified,
    #6 disputed); the seeds' own verdicts are demo data, not the newsroom's."""
    config, db = tmp_path / "config.toml", tmp_path / "c.sqlite3"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["--config", str(config), "--db", str(db), "seed"]) == 0
    for line, moderator in [
        ("/claim source 5 https://www.example.org/nk-troops stance:supports", []),
        ("/claim verify 5 Confirmed by two independent briefings", ["--moderator"]),
        ("/claim dispute 6 No count independent of either army supports it", ["--moderator"]),
    ]:
        args = ["--config", str(config), "--db", str(db), "console", "--as", "Ed", *moderator]
        args += ["-c", line]
        assert main(args) == 0
    return config, db


def test_claimreview_has_the_fields_google_asks_for_and_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = _desk(tmp_path)
    capsys.readouterr()
    out = tmp_path / "reviews.json"
    assert main(["--config", str(config), "--db", str(db), "export", "claimreview",
                 "--out", str(out)]) == 0  # fmt: skip
    reviews = json.loads(out.read_text(encoding="utf-8"))
    statuses = {r["reviewRating"]["alternateName"] for r in reviews}
    assert statuses == {"True", "False"}  # verified and disputed only, by default
    for review in reviews:
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"]
        assert review["url"].startswith("https://checks.example.org/claims/")
        assert review["author"] == {
            "@type": "Organization",
            "name": "Kursk Desk",
            "url": "https://checks.example.org",
        }
        assert review["datePublished"][:4].isdigit()
        rating = review["reviewRating"]
        assert (rating["bestRating"], rating["worstRating"]) == (5, 1)
        assert rating["ratingValue"] == {"True": 5, "False": 1}[rating["alternateName"]]
        assert review["itemReviewed"]["@type"] == "Claim"
    assert sorted(r["url"] for r in reviews) == [
        "https://checks.example.org/claims/5.html",
        "https://checks.example.org/claims/6.html",
    ]  # the newsroom's own verdicts: none of the seeds' unless asked for
    verified = next(r for r in reviews if r["url"].endswith("/5.html"))
    assert verified["reviewBody"] == "Confirmed by two independent briefings"
    assert verified["itemReviewed"]["appearance"] == [
        {"@type": "CreativeWork", "url": "https://www.example.org/nk-troops"}
    ]
    read = [r for r in read_paths([str(out)]) if isinstance(r, Review)]
    assert [(r.claim, r.rating) for r in read] == [
        (r["claimReviewed"], r["reviewRating"]["alternateName"]) for r in reviews
    ]


def test_status_and_date_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, db = _desk(tmp_path)
    capsys.readouterr()
    base = ["--config", str(config), "--db", str(db), "export", "claimreview"]
    assert main([*base, "--status", "disputed"]) == 0
    disputed = json.loads(capsys.readouterr().out)
    assert [r["url"] for r in disputed] == ["https://checks.example.org/claims/6.html"]
    assert main([*base, "--since", "2999-01-01"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*base, "--status", "maybe"]) == 2
    assert "--status or --since" in capsys.readouterr().err


def test_csv_has_every_field_a_desk_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = _desk(tmp_path)
    console = ["--config", str(config), "--db", str(db), "console", "--as", "Ed"]
    asked = "Russian forces have regained full control of the Kursk region, Putin says"
    assert main([*console, "-c", f"/claim check {asked}", "-c", "/claim assign 4"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "--db", str(db), "export", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # The desk's queue: how often each was asked about, and who is on it.
    by_id = {r["id"]: r for r in rows}
    assert (by_id["1"]["requests"], by_id["2"]["requests"]) == ("1", "0")
    assert (by_id["4"]["assignee"], by_id["1"]["assignee"]) == ("Ed", "")
    assert len(rows) == 9  # every status, every verdict: the desk's own file
    first = rows[0]
    assert first["claim"] == "Russian forces have regained full control of the Kursk region."
    assert (first["status"], first["rating"], first["claimant"]) == (
        "disputed",
        "False",
        "Vladimir Putin",
    )
    assert first["reason"].startswith("Ukraine rejects it")
    assert first["review_url"] == "https://checks.example.org/claims/1.html"
    # Whose verdict each is: the seeds' demo ones, the newsroom's own.
    assert (first["verdict_of"], first["decided_by"]) == ("seed", "Claimdesk seed import")
    fifth = next(r for r in rows if r["id"] == "5")
    assert (fifth["verdict_of"], fifth["status"]) == ("desk", "verified")


def test_claimreview_needs_the_newsroom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["--db", str(db), "export", "claimreview"]) == 2
    error = capsys.readouterr().err
    assert "export claimreview needs the newsroom that publishes the checks" in error
    # The file to write and what to write in it, as it would be pasted.
    assert "config.toml" in error
    assert '[newsroom]\nname = "Example Checks"\nsite = "https://checks.example.org"' in error


def test_seeded_verdicts_are_published_only_when_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = _desk(tmp_path)
    capsys.readouterr()
    base = ["--config", str(config), "--db", str(db), "export", "claimreview"]
    assert main(base) == 0
    out = capsys.readouterr()
    assert len(json.loads(out.out)) == 2
    assert "Left out 3 seeded demo verdicts" in out.err
    assert "--include seeds publishes them" in out.err
    assert main([*base, "--include", "seeds"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert len(everything) == 5  # the two of the desk and the seeds' verified and disputed
    assert main([*base, "--include", "others"]) == 2
    assert "--include: 'others' is not one of imported, seeds" in capsys.readouterr().err


def test_a_site_without_a_scheme_is_refused_naming_the_key_and_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[newsroom]\nname = "Desk"\nsite = "checks.example"\n', encoding="utf-8")
    assert main(["--config", str(config), "--db", str(tmp_path / "c.db"), "export", "csv"]) == 2
    error = capsys.readouterr().err
    assert f"{config}: newsroom.site: must be the site's absolute https address" in error
    assert "(not 'checks.example')" in error


def test_an_imported_verdict_is_published_only_on_request_and_credited_to_its_publisher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = tmp_path / "config.toml", tmp_path / "c.sqlite3"
    config.write_text(CONFIG, encoding="utf-8")
    feed_file = tmp_path / "feed.json"
    feed_file.write_text(
        feed([claim_review(n, c, r) for n, (c, r) in enumerate(CLAIMS)]), encoding="utf-8"
    )
    base = ["--config", str(config), "--db", str(db)]
    assert main([*base, "import", "claimreview", str(feed_file)]) == 0
    capsys.readouterr()

    assert main([*base, "export", "claimreview"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out) == []  # the newsroom made none of these verdicts
    assert "Left out 2 imported verdicts" in out.err

    assert main([*base, "export", "claimreview", "--include", "imported"]) == 0
    reviews = json.loads(capsys.readouterr().out)
    by_claim = {r["claimReviewed"]: r for r in reviews}
    assert set(by_claim) == {CLAIMS[0][0], CLAIMS[2][0]}  # rated True and Pants on Fire
    fire = by_claim[CLAIMS[2][0]]
    # The fact-check's own address and publisher, never the newsroom's.
    assert fire["url"] == "https://factcheck.example/reviews/2"
    assert fire["author"] == {
        "@type": "Organization",
        "name": "Example Checks",
        "url": "https://factcheck.example",
    }
    assert fire["reviewBody"] == "Example Checks rated it “Pants on Fire”"
    assert "appearance" not in fire["itemReviewed"]  # the review is not where the claim appeared

    site = tmp_path / "site"
    assert main([*base, "export", "site", str(site), "--include", "imported"]) == 0
    page = next((site / "claims").iterdir()).read_text(encoding="utf-8")
    assert 'Verdict of <a href="https://factcheck.example/reviews/' in page

    # `show` names the review by its headline, then its link.
    capsys.readouterr()
    assert main([*base, "console", "--no-seed", "-c", "/claim show 1"]) == 0
    shown = capsys.readouterr().out
    assert (
        "  1. [supports] Fact check 0: North Korean troops were deployed to the — Example Checks"
        " · https://factcheck.example/reviews/0" in shown
    )
