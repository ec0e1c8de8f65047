"""The Kursk seed: verbatim article, the claims the issue names, idempotent import."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import seeds
from bot.core.audit import audit_store
from bot.core.models import Person, Stance, Status
from bot.core.ports import NewClaim
from tests.conftest import REPO, WS, Desk
from tests.processes import Lines

KURSK = REPO / "seeds" / "000_bb46d072e026b22d"
SHARED = REPO.parent / "shared" / "seeds" / "000_bb46d072e026b22d.txt"


def test_article_is_kept_verbatim() -> None:
    if not SHARED.exists():
        pytest.skip("the shared seed folder is not beside this checkout")
    ours = hashlib.sha256((KURSK / "article.txt").read_bytes()).hexdigest()
    assert ours == hashlib.sha256(SHARED.read_bytes()).hexdigest()


def test_seed_has_the_claims_the_article_makes() -> None:
    seed = seeds.load_seed(KURSK)
    by_key = {c.key: c for c in seed.spec.claims}
    control = by_key["putin-full-control"]
    assert (control.claimant, control.status) == ("Vladimir Putin", Status.DISPUTED)
    assert "Ukraine rejects it" in control.status_reason
    texts = " | ".join(c.text for c in seed.spec.claims)
    for expected in [
        "August 2024",
        "first foreign invasion of Russia since World War II",
        "North Korean troops",
        "76,000",
        "independently verified",
        "still conducting operations",
    ]:
        assert expected in texts
    for claim in seed.spec.claims:
        assert claim.quote in seed.article_text
        assert claim.date
        assert claim.tags
        assert claim.claimant


def test_a_quote_not_in_the_article_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Only this sentence.", encoding="utf-8")
    (tmp_path / "seed.toml").write_text(
        '[article]\nid = "x"\ntitle = "T"\n[[claims]]\nkey = "k"\ntext = "Some claim text here."\nquote = "not there"\n',
        encoding="utf-8",
    )
    with pytest.raises(seeds.SeedError, match="quote does not appear verbatim"):
        seeds.find_seeds(tmp_path)


def test_a_status_without_reason_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "article.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "seed.toml").write_text(
        '[article]\nid = "x"\ntitle = "T"\n[[claims]]\nkey = "k"\ntext = "Some claim text here."\nstatus = "verified"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        seeds.SeedError,
        match=r"claims\.0: Value error, claim 'k' has status verified but no status_reason",
    ):
        seeds.find_seeds(tmp_path)


async def test_import_twice_adds_nothing_the_second_time(desk: Desk) -> None:
    found = seeds.find_seeds(REPO / "seeds")
    first = await seeds.import_seeds(desk.service, WS, found)
    assert first.claims_added == len(found[0].spec.claims) >= 9
    assert first.sources_added == first.claims_added
    after_first = await desk.snapshot()
    second = await seeds.import_seeds(desk.service, WS, found)
    assert (second.claims_added, second.sources_added, second.claims_present) == (
        0,
        0,
        first.claims_added,
    )
    assert (await desk.snapshot()) == after_first


async def test_imported_claims_carry_status_reason_and_article_source(desk: Desk) -> None:
    await seeds.import_seeds(desk.service, WS, seeds.find_seeds(REPO / "seeds"))
    page = await desk.service.search(desk.reporter, "full control", status="disputed")
    putin = next(i for i in page.items if i.claimant == "Vladimir Putin")
    detail = await desk.service.show(desk.reporter, putin.id)
    assert detail.claim.claimed_on == "2025-04"
    assert detail.sources[0].title == "Putin claims complete defiance of Ukraine in Kursk region"
    assert detail.sources[0].stance is Stance.CONTEXT
    assert detail.sources[0].note.startswith("“Russian President Vladimir Putin announced")
    change = next(e for e in detail.recent_changes if e.new_status is Status.DISPUTED)
    assert change.actor.name == "Claimdesk seed import"
    assert (await audit_store(desk.store)).ok


def _seeded_state(db: Path) -> list[tuple[str, str, int]]:
    """(seed key, status, sources) of every seeded claim stored."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT seed_key, status, source_count FROM claims WHERE seed_key IS NOT NULL"
        ).fetchall()


# `claimdesk seed`'s own path (bootstrap, service, seed import), announcing the store opened
# and each claim imported, so the test can kill it at a chosen point of the import.
_SEEDER = """
import asyncio, sys
from pathlib import Path
from bot import seeds
from bot.bootstrap import open_claimdesk
from bot.config import load_config

async def main() -> None:
    config = load_config(None).with_database(sys.argv[1])
    async with open_claimdesk(config) as app:
        print("opened", flush=True)
        await seeds.import_seeds(
            app.service, "console:local", seeds.find_seeds(Path(sys.argv[2])),
            progress=lambda done, total, key: print(key, flush=True),
        )

asyncio.run(main())
"""


def test_a_seed_killed_at_any_moment_leaves_each_claim_whole(tmp_path: Path) -> None:
    # A kill between creating a claim and setting its status used to leave it unverified for
    # good. Now each claim, its status and its source are one transaction: a claim is stored
    # whole or not at all, whenever the kill lands. The kill lands as the process announces a
    # point of the import (not after a time, which a slow machine spends starting Python):
    # just after the store opened, or after the 1st, 4th or 8th claim, as the next is written.
    spec = seeds.load_seed(KURSK).spec
    expected = {f"{spec.article.id}/{c.key}": c.status.value for c in spec.claims}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    environment["CLAIMDESK_MODEL_PATH"] = str(tmp_path / "no-model")  # start at once
    for kill_after in (0, 1, 4, 8):
        db = tmp_path / f"kill-{kill_after}.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "-c", _SEEDER, str(db), str(KURSK)],
            cwd=REPO,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        printed = Lines(process)
        assert printed.next(within=60) == "opened"
        announced = [printed.next(within=60) for _ in range(kill_after)]
        process.kill()
        announced += printed.rest()  # printed before the kill landed
        announced = [f"{spec.article.id}/{key}" for key in announced]
        stored = _seeded_state(db)
        # Every claim announced is stored; every claim stored is whole.
        assert {key for key, _, _ in stored} >= set(announced)
        for key, status, sources in stored:
            assert (status, sources) == (expected[key], 1), key


async def test_a_claim_half_imported_by_an_older_version_is_completed(desk: Desk) -> None:
    seed = seeds.load_seed(KURSK)
    disputed = next(c for c in seed.spec.claims if c.status is Status.DISPUTED)
    # As an import killed after the add and before the status change left it.
    await desk.store.add_claim(
        WS,
        NewClaim(
            text=disputed.text,
            claimant=disputed.claimant,
            claimed_on=disputed.date,
            tags=tuple(disputed.tags),
            seed_key=f"{seed.spec.article.id}/{disputed.key}",
        ),
        actor=Person(user_id="claimdesk:seed", name="Claimdesk seed import"),
        at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    await seeds.import_seeds(desk.service, WS, [seed])
    detail = await desk.service.show(desk.reporter, 1)
    assert detail.claim.status is Status.DISPUTED
    assert [e.detail for e in detail.recent_changes if e.new_status is Status.DISPUTED] == [
        disputed.status_reason
    ]
    assert (await audit_store(desk.store)).ok


async def test_a_moderator_who_set_a_seeded_claim_back_is_not_overruled(desk: Desk) -> None:
    found = seeds.find_seeds(REPO / "seeds")
    await seeds.import_seeds(desk.service, WS, found)
    page = await desk.service.search(desk.reporter, "full control", status="disputed")
    number = page.items[0].id
    await desk.service.change_status(desk.editor, number, "unverified", "Reopened: new footage")
    await seeds.import_seeds(desk.service, WS, found)
    assert (await desk.service.show(desk.reporter, number)).claim.status is Status.UNVERIFIED


def test_ten_processes_starting_at_once_on_a_new_store_seed_it_once(tmp_path: Path) -> None:
    # Each console start seeds its workspace; two of ten used to die on "UNIQUE constraint
    # failed: claims.id" (each had read the same next claim number before writing).
    db = tmp_path / "new.sqlite3"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    environment["CLAIMDESK_MODEL_PATH"] = str(tmp_path / "no-model")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", str(db), "console", "-c", "/claim show 1"],
            cwd=REPO,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(10)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    for process, (out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert out.startswith("#1 ⛔ Disputed"), out
    expected = len(seeds.load_seed(KURSK).spec.claims)
    assert len(_seeded_state(db)) == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM claims").fetchone() == (expected,)
