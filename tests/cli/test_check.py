"""`claimdesk check`: the answer of /claim check for scripts, with exit codes and JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_console import claimdesk
from tests.conftest import MODEL_PATH, REPO

REPEATED = "BREAKING: Putin says Russian forces have regained full control of the Kursk region"
UNRELATED = "The city council approved a new budget for public libraries"


def test_a_repeated_claim_exits_0_and_says_so(tmp_path: Path) -> None:
    result = claimdesk("check", REPEATED, db=tmp_path / "c.sqlite3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "This has been checked: 1 stored claim"
    assert lines[1].startswith("  #1 ⛔ disputed   Russian forces have regained full control")
    assert lines[2].endswith("putin in its claimant · 100% likely the same claim")
    # What may be related follows, under its own heading.
    assert lines[3] == "Possibly related — not the same claim?"


def test_json_lists_each_match_with_its_tier_score_and_why(tmp_path: Path) -> None:
    result = claimdesk("check", "--json", REPEATED, db=tmp_path / "c.sqlite3")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    first = answer["matches"][0]
    assert (first["id"], first["tier"]) == (1, "confident")
    assert 0.5 < first["score"] <= 1.0
    assert first["why"].startswith("matched russian, forces, regained, full, … in the claim; ")
    assert first["why"].endswith(
        f"putin in its claimant · {first['score']:.0%} likely the same claim"
    )
    # Confident matches come first, each tier by its score.
    tiers = [m["tier"] for m in answer["matches"]]
    assert tiers == sorted(tiers, key=lambda t: t != "confident")
    for tier in ("confident", "possible"):
        scores = [m["score"] for m in answer["matches"] if m["tier"] == tier]
        assert scores == sorted(scores, reverse=True)


def test_nothing_confident_exits_1(tmp_path: Path) -> None:
    result = claimdesk("check", "--json", UNRELATED, db=tmp_path / "c.sqlite3")
    assert result.returncode == 1, result.stderr
    assert all(m["tier"] != "confident" for m in json.loads(result.stdout)["matches"])


def test_bad_input_exits_2_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    too_long = claimdesk("check", "kursk " * 2000, db=db)
    assert too_long.returncode == 2
    assert "too long" in too_long.stderr.lower()
    assert too_long.stdout == ""
    nothing = claimdesk("check", db=db)
    assert nothing.returncode == 2
    assert "give the text to check" in nothing.stderr


def test_a_dash_reads_the_message_from_stdin(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "c.sqlite3"), "check", "--json", "-"],
        input=REPEATED + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["matches"][0]["id"] == 1


def test_each_checks_every_line_in_order_one_json_object_a_line(tmp_path: Path) -> None:
    messages = tmp_path / "day.txt"
    messages.write_text("\n".join([UNRELATED, REPEATED, "x" * 5000, UNRELATED]) + "\n")
    result = claimdesk("check", "--each", str(messages), db=tmp_path / "c.sqlite3")
    # One line could not be checked: every other line is still answered, and the exit says so.
    assert result.returncode == 2
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 4
    assert all(m["tier"] != "confident" for m in answers[0]["matches"])
    assert answers[1]["matches"][0]["tier"] == "confident"
    assert "too long" in answers[2]["error"].lower()
    assert answers[3]["matches"] == answers[0]["matches"]
    # Each line is a check of its own, to confirm or reject later.
    assert answers[3]["check"] != answers[0]["check"]


def test_with_the_model_a_reworded_question_is_answered_by_meaning(tmp_path: Path) -> None:
    result = claimdesk(
        "check",
        "--json",
        "how many ukrainian soldiers were killed or injured",
        db=tmp_path / "c.sqlite3",
        env={"CLAIMDESK_MODEL_PATH": str(MODEL_PATH)},
    )
    assert result.returncode in (0, 1), result.stderr
    shown = json.loads(result.stdout)["matches"]
    assert shown[0]["text"].startswith("Over 76,000 Ukrainian servicemen were killed or wounded")


def test_members_verdicts_are_exported_for_fitting_the_decision_again(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    checked = json.loads(claimdesk("check", "--json", REPEATED, db=db).stdout)
    check, shown = checked["check"], [m["id"] for m in checked["matches"]]
    assert len(shown) >= 2
    said = claimdesk(
        "console",
        "-c",
        f"/claim confirm {check} {shown[0]}",
        "-c",
        f"/claim reject {check} {shown[1]}",
        db=db,
    )
    assert said.returncode == 0, said.stdout
    assert f"Thanks: check {check} repeats #{shown[0]}." in said.stdout
    exported = claimdesk("export", "matches", db=db)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["claim"], r["verdict"]) for r in rows] == [
        (str(shown[0]), "confirmed"),
        (str(shown[1]), "rejected"),
        *((str(n), "") for n in shown[2:]),
    ]
    assert rows[0]["tier"] == "confident"
    assert rows[0]["message"] == REPEATED
    assert "1 confirmed, 1 rejected" in exported.stderr


def test_a_scripts_checks_are_no_requests_a_members_are(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    messages = tmp_path / "day.txt"
    messages.write_text("\n".join([REPEATED] * 6) + "\n")
    assert claimdesk("check", "--each", str(messages), db=db).returncode == 0
    shown = claimdesk("console", "-c", "/claim show 1", db=db)
    assert "Asked" not in shown.stdout  # six scripted checks: the queue counts none
    asked = claimdesk("console", "-c", f"/claim check {REPEATED}", "-c", "/claim show 1", db=db)
    assert "Asked once (once this week)" in asked.stdout, asked.stdout
