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

CONFIG = '[newsroom]\nname = "Kursk Desk"\nsite = "https://checks.example.org"\n'


def _desk(tmp_path: Path) -> tuple[Path, Path]:
    config, db = tmp_path / "config.toml", tmp_path / "c.sqlite3"
    config.write_text(CONFIG, encoding="utf-8")
    assert main(["--config", str(config), "--db", str(db), "seed"]) == 0
    line = "/claim source 3 https://www.example.org/august-incursion stance:supports"
    assert main(["--config", str(config), "--db", str(db), "console", "-c", line]) == 0
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
    verified = next(r for r in reviews if r["url"].endswith("/3.html"))
    assert verified["itemReviewed"]["appearance"] == [
        {"@type": "CreativeWork", "url": "https://www.example.org/august-incursion"}
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
    assert {r["reviewRating"]["alternateName"] for r in disputed} == {"False"}
    assert main([*base, "--since", "2999-01-01"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main([*base, "--status", "maybe"]) == 2
    assert "--status or --since" in capsys.readouterr().err


def test_csv_has_every_field_a_desk_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = _desk(tmp_path)
    capsys.readouterr()
    assert main(["--config", str(config), "--db", str(db), "export", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 9  # every status
    first = rows[0]
    assert first["claim"] == "Russian forces have regained full control of the Kursk region."
    assert (first["status"], first["rating"], first["claimant"]) == (
        "disputed",
        "False",
        "Vladimir Putin",
    )
    assert first["reason"].startswith("Ukraine rejects it")
    assert first["review_url"] == "https://checks.example.org/claims/1.html"


def test_claimreview_needs_the_newsroom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    assert main(["--db", str(db), "export", "claimreview"]) == 2
    assert "newsroom.name and newsroom.site" in capsys.readouterr().err
