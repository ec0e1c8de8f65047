"""The console end to end: the real `claimdesk` command, its output and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO


def claimdesk(
    *args: str, db: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "CLAIMDESK_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        timeout=60,
        check=False,
    )


def test_console_runs_commands_on_the_seeded_claims(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    result = claimdesk(
        "console",
        "--as",
        "Rita",
        "-c",
        "/claim search kursk status:disputed",
        "-c",
        "/claim show 1",
        db=db,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == '2 matches for "kursk", status: disputed — page 1 of 1'
    assert lines[1].startswith(
        "  #1 ⛔ disputed   Russian forces have regained full control of the Kursk region. — Vladimir Putin · 1 source"
    )
    assert "#1 ⛔ Disputed  (revision 3)" in lines
    assert "Claimant: Vladimir Putin · claimed 2025-04 · added" in result.stdout
    assert (
        "  1. [context] Putin claims complete defiance of Ukraine in Kursk region — seeds/000_bb46d072e026b22d"
        in lines
    )


def test_console_moderation_round_trip_and_audit(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    refused = claimdesk(
        "console", "--as", "Rita", "-c", "/claim verify 4 I read it somewhere", db=db
    )
    assert refused.returncode == 1
    assert refused.stdout.strip() == (
        "✖ Only moderators (editors and fact-checkers) can change a claim's status. "
        "Ask an editor, or add evidence with /claim source instead."
    )
    added = claimdesk(
        "console",
        "--as",
        "Rita",
        "-c",
        "/claim source 4 https://www.britannica.com/event/Kursk stance:supports note:Encyclopaedia entry",
        db=db,
    )
    assert (
        added.stdout.strip()
        == "Added a source to #4: [supports] https://www.britannica.com/event/Kursk — britannica.com"
    )
    stale = claimdesk(
        "console",
        "--as",
        "Ed",
        "--moderator",
        "-c",
        "/claim verify 4 Two sources agree version:2",
        db=db,
    )
    assert stale.returncode == 1
    assert "changed since you looked" in stale.stdout
    done = claimdesk(
        "console",
        "--as",
        "Ed",
        "--moderator",
        "-c",
        "/claim verify 4 Two sources agree version:3",
        db=db,
    )
    assert done.returncode == 0, done.stdout
    assert (
        done.stdout.strip() == "#4 is now ✅ Verified (was unverified). Reason: Two sources agree"
    )
    history = claimdesk("console", "-c", "/claim history 4", db=db)
    last = history.stdout.splitlines()[-1]
    assert "unverified → verified: Two sources agree  by Ed" in last
    audit = claimdesk("audit", "verify", db=db)
    assert audit.returncode == 0
    assert "OK: 23 history entries in 1 workspace match their hashes." in audit.stdout


def test_run_without_token_opens_console_on_seeds(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(db), "run"],
        input="/claim search north korean\nquit\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No chat token configured" in result.stdout
    assert "#5 ❔ unverified North Korean troops played a significant role" in result.stdout


def test_seed_command_is_idempotent_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.sqlite3")
    assert main(["--db", db, "seed", "--workspace", "slack:T1"]) == 0
    assert (
        "Seeds: 9 claims added, 0 already present, 9 sources added (1 articles) into slack:T1."
        in capsys.readouterr().out
    )
    assert main(["--db", db, "seed", "--workspace", "slack:T1"]) == 0
    assert "Seeds: 0 claims added, 9 already present, 0 sources added" in capsys.readouterr().out


def test_audit_detects_tampering_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = tmp_path / "c.sqlite3"
    assert main(["--db", str(db), "seed"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER history_is_append_only_update")
        conn.execute("UPDATE history SET actor_name = 'Someone else' WHERE id = (1 << 32) + 6")
    capsys.readouterr()
    assert main(["--db", str(db), "audit", "verify"]) == 2
    out = capsys.readouterr().out
    assert "head" not in out  # no head hash is vouched for in a broken chain
    assert (
        "TAMPERED console:local: entry 6 (claim #2, status_changed) was changed after it was written"
        in out
    )


def test_bad_commands_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.sqlite3")
    assert main(["--db", db, "console", "--no-seed", "-c", "/claim frobnicate 1"]) == 1
    assert capsys.readouterr().out.strip() == "✖ Unknown command 'frobnicate'. Try /claim help."
    assert main(["--db", db, "console", "--no-seed", "-c", "/claim show"]) == 1
    assert capsys.readouterr().out.strip() == "✖ Missing arguments. Usage: /claim show <id>"


def test_console_subscriptions_deliver_once_when_the_user_returns(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    subscribed = claimdesk(
        "console",
        "--as",
        "Rita",
        "-c",
        "/subscribe claim 5",
        "-c",
        "/subscribe tag north-korea",
        "-c",
        "/subscriptions",
        db=db,
    )
    assert subscribed.stdout.splitlines() == [
        "You now follow claim #5 by DM.",
        "You now follow tag north-korea by DM.",
        "You follow:",
        "  • claim #5 by DM",
        "  • tag north-korea by DM",
    ]
    claimdesk(
        "console",
        "--as",
        "Ed",
        "--moderator",
        "-c",
        "/claim verify 5 Confirmed by two briefings",
        db=db,
    )
    first = claimdesk("console", "--as", "Rita", "-c", "/claim search korean", db=db)
    assert first.stdout.splitlines()[:2] == [
        "📬 Claimdesk update",
        "  #5 ✅ unverified → verified by Ed: Confirmed by two briefings — “North Korean troops played a "
        "significant role in aiding Russian forces in the Kursk operations.”",
    ]
    again = claimdesk("console", "--as", "Rita", "-c", "/claim search korean", db=db)
    assert "📬" not in again.stdout
    claimdesk(
        "console",
        "--as",
        "Rita",
        "-c",
        "/unsubscribe claim 5",
        "-c",
        "/unsubscribe tag north-korea",
        db=db,
    )
    claimdesk(
        "console", "--as", "Ed", "--moderator", "-c", "/claim dispute 5 Briefing retracted", db=db
    )
    after = claimdesk("console", "--as", "Rita", "-c", "/subscriptions", db=db)
    assert after.stdout.strip() == (
        "You follow nothing yet. Try /subscribe claim <id>, /subscribe tag <tag> or /subscribe all."
    )


def test_one_off_commands_match_by_meaning_with_the_model_on_disk(tmp_path: Path) -> None:
    model = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2-int8"
    result = claimdesk(
        "console",
        "-c",
        "/claimdesk status",
        "-c",
        "/claim search how many ukrainian soldiers were killed or injured",
        db=tmp_path / "c.sqlite3",
        env={"CLAIMDESK_MODEL_PATH": str(model)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Matching by meaning: on (sentence-transformers/all-MiniLM-L6-v2)."
    assert lines[1] == "9 claims embedded; none waiting."  # the seeds, embedded before answering
    first = lines.index(next(line for line in lines if line.startswith("  #")))
    assert "Over 76,000 Ukrainian servicemen were killed or wounded" in lines[first]
    assert "matched ukrainian, killed in the claim ·" in lines[first + 1]
    assert lines[first + 1].endswith("similar in meaning")


def test_without_a_model_commands_answer_by_words_and_embed_says_why(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    # No model folder, and a hub that cannot be reached (".invalid" never resolves): nothing
    # may wait for it, and whoever asks is told what to set.
    env = {
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HF_ENDPOINT": "https://hub.invalid",
        "HF_HUB_OFFLINE": "",  # the tests' own guard against downloads: this test is the hub's
    }
    result = claimdesk(
        "console", "-c", "/claim search kursk troops", "-c", "/claimdesk status", db=db, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "North Korean troops" in result.stdout
    assert "Matching by meaning: off (sentence-transformers/all-MiniLM-L6-v2 is not in the cache" \
        " and cannot be fetched: hub.invalid cannot be reached" in result.stdout  # fmt: skip
    assert "set matching.model_path in the config (or CLAIMDESK_MODEL_PATH)" in result.stdout
    # A one-off command's output is its answer: its log went to the log file.
    assert result.stderr == ""
    # The user's log folder: XDG_STATE_HOME, which the tests point at the test's own folder.
    log = (tmp_path / "state" / "claimdesk" / "log" / "claimdesk.log").read_text()
    assert "WARNING bot.core.matching.embedder: Semantic matching is off" in log
    embedded = claimdesk("embed", "--wait", "5", db=db, env=env)
    assert embedded.returncode == 2
    assert "Cannot embed: semantic matching is off (" in embedded.stderr
    assert "CLAIMDESK_MODEL_PATH" in embedded.stderr


def test_a_console_notice_reaches_its_own_workspace_only(tmp_path: Path) -> None:
    # Notices were keyed by name only: Rita's from console:alpha printed in console:beta.
    db = tmp_path / "c.sqlite3"
    claimdesk("console", "--workspace", "alpha", "--as", "Rita", "-c", "/subscribe all", db=db)
    claimdesk(
        "console", "--workspace", "beta", "--no-seed", "--as", "Rita", "-c", "/claim help", db=db
    )
    claimdesk(
        "console", "--workspace", "alpha", "--as", "Ed", "--moderator",
        "-c", "/claim verify 5 Confirmed by two briefings",
        db=db,
    )  # fmt: skip
    beta = claimdesk("console", "--workspace", "beta", "--no-seed", "--as", "Rita", "-c", "/subscriptions", db=db)  # fmt: skip
    assert "📬" not in beta.stdout
    alpha = claimdesk("console", "--workspace", "alpha", "--as", "Rita", "-c", "/subscriptions", db=db)  # fmt: skip
    assert alpha.stdout.startswith("📬 Claimdesk update")


def test_typed_text_is_printed_as_typed_not_as_emoji(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.sqlite3")
    line = "/claim add The mayor said :fire: taxes will fall :x: next year"
    assert main(["--db", db, "console", "--no-seed", "-c", line]) == 0
    assert ":fire: taxes will fall :x: next year" in capsys.readouterr().out


def test_a_refused_add_exits_1_and_migrate_says_what_it_did(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    created = claimdesk("migrate", db=db)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"Created the store at {db} (schema version ")
    again = claimdesk("migrate", db=db)
    assert again.stdout.startswith(f"The store at {db} is up to date (schema version ")
    # A near-duplicate is not stored: the command was refused, and a script must know.
    duplicate = claimdesk(
        "console", "-c", "/claim add Russian forces have regained full control of Kursk.", db=db
    )
    assert duplicate.returncode == 1, duplicate.stdout
    assert duplicate.stdout.startswith(
        "Not added.\nThis looks like a claim we already have:\n  #1 "
    )


def test_a_check_that_finds_nothing_offers_the_desk_and_the_add_line(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    message = 'The river festival has been "cancelled" because of the floods. tags:x'
    first = claimdesk("console", "--as", "Rita", "-c", f"/claim check {message}", db=db)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "No stored claim resembles this message"
    assert lines[1] == "Nobody has checked this yet. Send it to the desk: /claim send 1"
    # The ready line reads back as the message itself (its quotes made curly).
    added = 'or add it in your words: /claim add "The river festival has been ”cancelled”'
    assert lines[2].startswith(added)
    sent = claimdesk("console", "--as", "Rita", "-c", "/claim send 1", "-c", "/claim queue", db=db)
    assert sent.returncode == 0, sent.stderr
    out = sent.stdout.splitlines()
    assert out[0].startswith("Sent to the desk as claim #10 (unverified)")
    assert out[1].startswith("Unverified claims, most wanted first (7)")
    assert out[2].startswith('  #10 ❔ “The river festival has been "cancelled"')
    assert out[2].endswith("· nobody on it")
