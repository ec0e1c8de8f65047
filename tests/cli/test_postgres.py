"""Claimdesk on PostgreSQL through the real `claimdesk` command: choosing the store, migrating,
copying a desk over from SQLite, and the audit chain hashing alike on both stores."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.core.audit import audit_store
from bot.core.matching.embedder import SemanticModel
from bot.core.models import Stance
from bot.core.ports import NewSource
from bot.store.migration_files import available
from tests.conftest import REPO, WS, new_database, open_desk
from tests.core.test_bulk_import import T0
from tests.store.test_search_index import claim


def claimdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "SLACK_", "CLAIMDESK_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(postgres_server: str) -> str:
    return asyncio.run(new_database(postgres_server))


def test_the_store_is_chosen_by_its_address_and_a_bad_one_is_named(tmp_path: Path) -> None:
    config = load_config(None, env={"CLAIMDESK_DB": "postgresql://desk:s3cret-pw@db/claims"})
    assert config.storage.database_url() == "postgresql://desk:s3cret-pw@db/claims"
    assert "s3cret-pw" not in repr(config)
    sqlite = load_config(None, env={"CLAIMDESK_DB": str(tmp_path / "c.sqlite3")})
    assert sqlite.storage.database_url() is None
    assert sqlite.storage.resolved_path() == tmp_path / "c.sqlite3"
    bad = tmp_path / "bad.toml"
    bad.write_text('[storage]\nurl = "mysql://db/claims"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"storage\.url: .*must be a PostgreSQL address"):
        load_config(bad, env={})


def test_migrate_brings_an_empty_database_up_to_date(database: str) -> None:
    result = claimdesk("--db", database, "migrate")
    assert result.returncode == 0, result.stderr
    newest = available("bot.store.postgres")[-1].version
    assert f"is up to date (schema version {newest})" in result.stdout
    again = claimdesk("--db", database, "migrate")
    assert again.returncode == 0
    assert again.stdout == result.stdout


def test_an_unreachable_database_is_one_line_without_its_password() -> None:
    result = claimdesk(
        "--db", "postgresql://desk:hunter2-secret@127.0.0.1:9/claims", "console", "-c", "/claim"
    )
    assert result.returncode == 1
    assert "cannot use the PostgreSQL database at postgresql://desk@127.0.0.1:9/claims" in (
        result.stderr
    )
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_desk_copied_from_sqlite_keeps_its_claims_history_and_answers(
    tmp_path: Path, database: str
) -> None:
    db = str(tmp_path / "desk.sqlite3")
    steps = [
        "/claim add Ferry fares rise by a third from June. claimant:Harbour board tags:ferries",
        "/claim add Tram drivers strike on Friday. tags:trams",
        "/claim source 1 https://example.com/fares stance:supports",
        "/claim dispute 1 The board's minutes say a quarter",
        "/subscribe tag ferries",
        "/claim check Ferry fares rise by a third from June, says the harbour board",
        "/claim confirm 1 1",
        "/claim assign 2",
    ]
    commands = [x for step in steps for x in ("-c", step)]
    made = claimdesk("--db", db, "console", "--no-seed", "--moderator", *commands)
    assert made.returncode == 0, made.stderr
    before = claimdesk("--db", db, "console", "--no-seed", "-c", "/claim search ferry fares")

    copied = claimdesk("copy", "--from", f"sqlite:{db}", "--to", database)
    assert copied.returncode == 0, copied.stderr
    assert "Copied 2 claims, 6 history entries and 1 source" in copied.stdout
    assert "every count matches" in copied.stdout
    assert "OK: 6 history entries in 1 workspace match their hashes." in copied.stdout

    after = claimdesk("--db", database, "console", "--no-seed", "-c", "/claim search ferry fares")
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    shown = claimdesk("--db", database, "console", "--no-seed", "-c", "/claim show 1")
    assert "#1 ⛔ Disputed" in shown.stdout
    assert "The board's minutes say a quarter" in shown.stdout
    # The check and its verdict came along; checks are numbered on from there too.
    verdict = claimdesk("--db", database, "console", "--no-seed", "-c", "/claim reject 1 1")
    assert "#1 was already confirmed for check 1" in verdict.stdout, verdict.stdout
    checked = claimdesk(
        "--db", database, "console", "--no-seed", "-c", "/claim check ferry fares rise"
    )
    assert "Check 2." in checked.stdout, checked.stdout
    # The desk's queue came along: the request and who is on #2, and requests number on.
    asked = claimdesk("--db", database, "console", "--no-seed", "-c", "/claim show 1")
    assert "Asked twice (twice this week)" in asked.stdout, asked.stdout
    queue = claimdesk("--db", database, "console", "--no-seed", "-c", "/claim queue")
    assert "#2 ❔ “Tram drivers strike on Friday.”" in queue.stdout, queue.stdout
    assert "is on it" in queue.stdout
    # Numbering goes on where the SQLite desk left off.
    added = claimdesk(
        "--db", database, "console", "--no-seed", "-c", "/claim add Tram tickets go digital."
    )
    assert "Added claim #3" in added.stdout, added.stdout

    again = claimdesk("copy", "--from", f"sqlite:{db}", "--to", database)
    assert again.returncode == 2
    assert "already holds 1 workspace(s); copy into an empty database" in again.stderr


async def test_both_stores_hash_the_same_history_alike(tmp_path: Path, database: str) -> None:
    chains = []
    for url in (None, database):
        async for desk in open_desk(tmp_path, SemanticModel(None, name="none"), url):
            await desk.service.add_claim(desk.reporter, "The mayor said the bridge reopens in May.")
            await desk.service.add_source(
                desk.reporter, 1, "https://example.com/m", stance="refutes"
            )
            await desk.service.change_status(desk.editor, 1, "disputed", "Minutes say June")
            chains.append([e.hash async for e in desk.store.iter_history(WS)])
            assert (await audit_store(desk.store)).ok
    sqlite_chain, postgres_chain = chains
    assert len(sqlite_chain) == 3
    assert postgres_chain == sqlite_chain


async def test_the_word_counts_the_database_keeps_match_a_recount(
    tmp_path: Path, database: str
) -> None:
    async for desk in open_desk(tmp_path, SemanticModel(None, name="none"), database):
        await desk.store.bulk_import(
            WS, [claim(f"Harbour report {n} on the ferry timetable.", n) for n in range(30)], at=T0
        )
        await desk.service.add_claim(desk.reporter, "The ferry strike ends on Friday.")
        await desk.service.import_source(
            desk.editor,
            31,
            NewSource(
                url="https://example.org/strike",
                title="Ferry strike called off",
                outlet="example.org",
                stance=Stance.SUPPORTS,
                note="Union statement",
            ),
        )
        await desk.service.change_status(desk.editor, 31, "verified", "Union confirmed")
        kept = await desk.query("SELECT lexeme, claims FROM term_counts WHERE claims <> 0")
        recount = await desk.query(
            "SELECT word, count(*) FROM claims, unnest(tsvector_to_array(words)) AS word"
            " WHERE word !~ '^[0-9]+:[~#]' GROUP BY word"
        )
        assert sorted(kept) == sorted(recount)
        assert ("1:ferri", 31) in kept  # 30 imported, 1 added
        assert ("1:union", 1) in kept  # what the source's note says, counted once


async def test_a_new_claims_words_go_straight_into_the_index(tmp_path: Path, database: str) -> None:
    # GIN's pending list would make every search read the words added since the last vacuum
    # (migration 0002): a new claim's entries must be in the index proper at once.
    async for desk in open_desk(tmp_path, SemanticModel(None, name="none"), database):
        await desk.service.add_claim(desk.reporter, "The ferry strike ends on Friday.")
        await desk.store.bulk_import(
            WS, [claim(f"Harbour report {n}.", n) for n in range(5)], at=T0
        )
        assert await desk.query("SELECT gin_clean_pending_list('claims_words'::regclass)") == [(0,)]
        page = await desk.service.search(desk.reporter, "ferry strike")
        assert [item.text for item in page.items] == ["The ferry strike ends on Friday."]
