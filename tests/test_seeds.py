"""The Kursk seed: verbatim article, the claims the issue names, idempotent import."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot import seeds
from bot.core.models import Stance, Status
from tests.conftest import REPO, WS, Desk

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
    after_first = desk.snapshot()
    second = await seeds.import_seeds(desk.service, WS, found)
    assert (second.claims_added, second.sources_added, second.claims_present) == (
        0,
        0,
        first.claims_added,
    )
    assert desk.snapshot() == after_first


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
    assert (await desk.service.audit()).ok
