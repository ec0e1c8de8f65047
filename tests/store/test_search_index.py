"""The search index: word pairs never cost a phrase a match, old stores are re-indexed on upgrade,
a claim's words are fixed, and a rare word is found back to the oldest claim."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, ModeratorSettings, Person
from bot.core.ports import ImportedClaim
from bot.core.service import ClaimService
from bot.store.migration_files import available
from bot.store.sqlite import SqliteStore, search_index
from tests.conftest import WS, Desk, StepClock

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DESK = Person(user_id="u-arch", name="Archive Desk")
REPORTER = Actor(workspace=WS, user_id="u-rep", display_name="Rita Reporter")
# Stem variants (force/forces/forced), words whose stems are each other's prefixes (hop/hope),
# accented and curly-quoted words, and very common words.
WORDS = [
    *("said", "says", "saying", "force", "forces", "forced", "forcing", "government"),
    *("governments", "minister", "ministers", "the", "of", "in", "region", "regional", "Kursk"),
    *("Kursk\u2019s", "Z\u00fcrich", "Zurich", "gas", "station", "stations", "shelled"),
    *("shelling", "border", "hope", "hop", "hoped", "hopping", "relate", "related", "relational"),
]


def claim(text: str, n: int) -> ImportedClaim:
    return ImportedClaim(
        text=text,
        claimant="",
        claimed_on=None,
        tags=(),
        created_by=DESK,
        created_at=T0 + timedelta(minutes=n),
    )


async def all_ids(desk: Desk, text: str) -> tuple[int, list[int]]:
    first = await desk.service.search(desk.reporter, text, page_size=25)
    ids = [c.id for c in first.items]
    for page in range(2, first.pages + 1):
        ids += [
            c.id
            for c in (await desk.service.search(desk.reporter, text, page=page, page_size=25)).items
        ]
    return first.total, ids


def plain_fts5(path: Path, phrase: str) -> list[int]:
    """The phrase's matches by FTS5 alone, without the word-pair column."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT rowid & 4294967295 FROM claims_fts WHERE claims_fts MATCH ?",
            ('"' + phrase.replace('"', '""') + '"',),
        )
        return sorted(r[0] for r in rows)


async def plain_fts5_of(desk: Desk) -> sqlite3.Connection:
    """FTS5 alone (no word-pair column) over the desk's claims as either store holds them: what
    a phrase must find on both."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE plain USING fts5(text, claimant, tags,"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    rows = await desk.query("SELECT number, text, claimant, tags FROM claims")
    conn.executemany("INSERT INTO plain(rowid, text, claimant, tags) VALUES (?, ?, ?, ?)", rows)
    return conn


@pytest.mark.parametrize(
    "vocabulary",
    [WORDS, [w for w in WORDS if w.isascii()]],
    ids=["some claims unpaired", "every claim paired"],
)
async def test_phrases_find_exactly_what_fts5_alone_finds(
    desk: Desk, vocabulary: list[str]
) -> None:
    rng = random.Random(7)
    texts = [" ".join(rng.choices(vocabulary, k=rng.randint(3, 12))) + "." for _ in range(600)]
    await desk.store.bulk_import(WS, (claim(t, n) for n, t in enumerate(texts)), at=T0)
    await desk.service.add_claim(desk.reporter, "Forces said the Kursk gas station was shelled.")
    plain = await plain_fts5_of(desk)
    checked = 0
    for _ in range(150):
        words = rng.choice(texts).rstrip(".").split()
        start = rng.randrange(len(words) - 1)
        phrase = " ".join(words[start : start + rng.randint(2, 3)])
        # The same phrase as another reporter would type it: other forms of the same stems.
        for typed in (phrase, phrase.replace("forces", "forced").replace("Z\u00fcrich", "Zurich")):
            expected = sorted(
                r[0]
                for r in plain.execute(
                    "SELECT rowid FROM plain WHERE plain MATCH ?",
                    ('"' + typed.replace('"', '""') + '"',),
                )
            )
            if len(expected) > 1000:
                continue  # capped: the newest 1,000 only, checked elsewhere
            total, ids = await all_ids(desk, f'"{typed}"')
            assert (total, sorted(ids)) == (len(expected), expected), typed
            checked += 1
    assert checked > 200


async def test_an_accented_claim_is_found_by_its_unaccented_phrase(desk: Desk) -> None:
    await desk.service.add_claim(
        desk.reporter, "Officials in Z\u00fcrich said the border was shut."
    )
    await desk.service.add_claim(desk.reporter, "Officials said the Zurich border was open.")
    total, ids = await all_ids(desk, '"zurich said"')
    assert (total, ids) == (1, [1])
    if desk.path is None:
        return  # what follows is SQLite's word-pair column
    with sqlite3.connect(desk.file) as conn:
        paired = conn.execute(
            "SELECT rowid & 4294967295 FROM claims_fts WHERE claims_fts MATCH ?",
            (f'pairs : "{search_index.NO_PAIRS}"',),
        ).fetchall()
    assert paired == [(1,)]  # the accented claim is let through every phrase, not paired


@pytest.mark.sqlite_only
async def test_pairs_are_indexed_for_plain_text(desk: Desk) -> None:
    assert desk.sqlite._pairs_usable  # this SQLite's FTS5 tokenizes as the twin does
    await desk.service.add_claim(desk.reporter, "Governments said gas prices rose.")
    with sqlite3.connect(desk.file) as conn:
        hits = conn.execute(
            "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?",
            ('pairs : "govern\u01c2said\u01c2 said\u01c2ga\u01c2"',),
        ).fetchone()[0]
    assert hits == 1


async def test_phrases_still_work_where_the_tokenizer_check_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_SELF_CHECK_TEXT", "a different SQLite")
    monkeypatch.setattr(search_index, "tokens", lambda text: ["not", "what", "fts5", "says"])
    store = await SqliteStore.open(tmp_path / "c.sqlite3")
    try:
        assert store._pairs_usable is False
        service = ClaimService(
            store, StepClock(), configured_moderators={}, matcher=Matcher.words_only(store)
        )
        reporter = REPORTER
        await service.add_claim(reporter, "Forces said the gas station was shelled.")
        page = await service.search(reporter, '"gas station"')
        assert [c.id for c in page.items] == [1]
    finally:
        await store.close()


async def test_a_version_2_store_is_reindexed_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )
        for migration in available("bot.store.sqlite")[
            :2
        ]:  # as Claimdesk left a store before version 3
            conn.executescript(migration.sql)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, 'then')",
                (migration.version, migration.name),
            )
        conn.execute(
            "INSERT INTO workspaces(key, external_id, next_claim, created_at) VALUES (1, ?, 3, 'then')",
            (WS,),
        )
        for number, text in (
            (1, "Forces said the gas station was shelled."),
            (2, "The minister denied it."),
        ):
            conn.execute(
                "INSERT INTO claims(id, workspace_key, number, text, status, created_by_id,"
                " created_by_name, created_at, updated_at) VALUES (?, 1, ?, ?, 'unverified', 'u', 'U',"
                " '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')",
                ((1 << 32) | number, number, text),
            )
    store = await SqliteStore.open(path)
    try:
        service = ClaimService(
            store,
            StepClock(),
            configured_moderators={WS: ModeratorSettings()},
            matcher=Matcher.words_only(store),
        )
        reporter = REPORTER
        assert [c.id for c in (await service.search(reporter, '"gas station"')).items] == [1]
        assert [c.id for c in (await service.search(reporter, "minister")).items] == [2]
        await service.add_claim(reporter, "Another gas station claim.", force=True)
        assert (await service.search(reporter, '"gas station"')).total == 2
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM search_index_rebuild").fetchone() == (0,)
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (
            available("bot.store.sqlite")[-1].version,
        )


async def test_a_claims_words_never_change_and_claims_are_never_deleted(desk: Desk) -> None:
    await desk.service.add_claim(desk.reporter, "Forces said the gas station was shelled.")
    for sql in (
        "UPDATE claims SET text = 'Something else.'",
        "UPDATE claims SET claimant = 'Someone'",
        "UPDATE claims SET tags = 'other'",
        "DELETE FROM claims",
    ):
        with pytest.raises(Exception, match="never"):  # the database's own refusal
            await desk.execute(sql)
    assert (await desk.service.search(desk.reporter, "shelled")).total == 1


async def test_a_rare_word_is_found_back_to_the_oldest_claim(desk: Desk) -> None:
    rare = {1, 2500, 4990}  # the first, a middle and a recent claim of 5,000

    def text(n: int) -> str:
        return f"Claim {n} about the harbour." + (" Sudzha pipeline." if n in rare else "")

    await desk.store.bulk_import(WS, (claim(text(n), n) for n in range(1, 5001)), at=T0)
    total, ids = await all_ids(desk, "sudzha")
    assert (total, sorted(ids)) == (3, sorted(rare))
    # A word in every claim: the newest are ranked, and the count says "more than".
    page = await desk.service.search(desk.reporter, "harbour")
    assert (page.total, page.total_is_capped, page.ranked_within) == (100, True, 100)
    assert all(item.id > 4000 for item in page.items)


async def test_a_phrase_never_spans_two_columns(desk: Desk) -> None:
    # The text ends with "the gas" and the claimant begins with "gas station": their pairs
    # stand next to each other in the pairs column but must not read as "the gas station".
    await desk.service.add_claim(
        desk.reporter, "Officials blamed the gas", claimant="Gas Station Owners"
    )
    assert (await desk.service.search(desk.reporter, '"gas station"')).total == 1
    assert (await desk.service.search(desk.reporter, '"the gas station"')).total == 0
    if desk.path is not None:
        assert plain_fts5(desk.file, "the gas station") == []


async def test_ranking_weighs_repetition_the_text_and_short_claims(desk: Desk) -> None:
    add = desk.service.add_claim
    await add(
        desk.reporter, "Union leaders said fares will rise next spring.", claimant="Ferry Union"
    )
    await add(desk.reporter, "The ferry timetable changes in May, the port authority said today.")
    await add(desk.reporter, "Ferry fares: the ferry company raised ferry fares again.", force=True)
    await add(desk.reporter, "A ferry sank.", force=True)
    page = await desk.service.search(desk.reporter, "ferry")
    # Three times in the text; once in a short text; once in a longer text; in the claimant.
    assert [c.id for c in page.items] == [3, 4, 2, 1]


async def test_a_hyphenated_prefix_uses_the_pairs_before_its_last_word(desk: Desk) -> None:
    await desk.service.add_claim(desk.reporter, "The gas station owners said prices rose.")
    await desk.service.add_claim(desk.reporter, "A station for gas owners opened.", force=True)
    assert [c.id for c in (await desk.service.search(desk.reporter, "gas-station-own*")).items] == [
        1
    ]
    assert [c.id for c in (await desk.service.search(desk.reporter, "gas-stat*")).items] == [1]
