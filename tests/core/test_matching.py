"""Finding the stored claim a person means: by words that forgive, and by meaning."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.errors import InvalidInput
from bot.core.matching.embedder import Embedder, EmbedderUnavailable, ModelState, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import ClaimAdded, DuplicateSuspected, Person, Stance
from bot.core.ports import ImportedClaim, NewSource
from bot.core.presentation import match_note
from bot.core.service import ClaimService
from bot.embedding import fastembed
from bot.store.lexical_ranking import COUNT_CAP
from bot.store.sqlite import SqliteStore
from tests.conftest import MODEL_NAME, OTHER_WS, WS, Desk, StepClock
from tests.core.test_bulk_import import T0

KURSK = [
    ("Russian forces have regained full control of the Kursk region.", "Vladimir Putin"),
    (
        "North Korean troops played a significant role in aiding Russian forces in the Kursk"
        " operations.",
        "Unnamed intelligence sources",
    ),
    ("Over 76,000 Ukrainian servicemen were killed or wounded in the fighting for Kursk.", ""),
    ("The mayor said the bridge will reopen in May.", ""),
]


async def add_kursk(desk: Desk) -> None:
    for text, claimant in KURSK:
        outcome = await desk.service.add_claim(desk.reporter, text, claimant=claimant, force=True)
        assert isinstance(outcome, ClaimAdded)


def ids(items: object) -> list[int]:
    return [item.id for item in items]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------- by words
async def test_a_question_finds_the_claim_though_some_of_its_words_are_missing(desk: Desk) -> None:
    await add_kursk(desk)
    page = await desk.service.search(
        desk.reporter, "how many ukrainian soldiers were killed or injured"
    )
    assert ids(page.items)[0] == 3
    assert page.items[0].match is not None
    assert page.items[0].match.words == ("ukrainian", "killed")
    assert match_note(page.items[0]) == "matched ukrainian, killed in the claim"


async def test_claims_holding_every_word_come_first(desk: Desk) -> None:
    await add_kursk(desk)
    # "kursk" alone is in three claims; "kursk" and "troops" together only in the second.
    page = await desk.service.search(desk.reporter, "kursk troops")
    assert ids(page.items)[0] == 2
    assert set(ids(page.items)) == {1, 2, 3}


async def test_stop_words_are_not_looked_up(desk: Desk) -> None:
    await add_kursk(desk)
    # "the", "of", "in" are in the bridge claim; only "kursk" counts.
    page = await desk.service.search(desk.reporter, "the kursk of the in")
    assert 4 not in ids(page.items)
    assert set(ids(page.items)) == {1, 2, 3}
    # A search of nothing but stop-words still looks for them.
    assert 4 in ids((await desk.service.search(desk.reporter, "the")).items)


def council_claims(
    desk: Desk, tags: dict[int, tuple[str, ...]] | None = None
) -> list[ImportedClaim]:
    """COUNT_CAP + 200 claims holding "council" (common) and "budget"; every 97th (n = 0, 97,
    …; claim n + 1) also says "after the harbour flooding". ``tags`` by n, none by default."""
    return [
        ImportedClaim(
            text=f"The council said the budget for district {n} rose"
            + (" after the harbour flooding." if n % 97 == 0 else "."),
            claimant="",
            claimed_on=None,
            tags=(tags or {}).get(n, ()),
            created_by=Person(user_id=desk.reporter.user_id, name="Archive"),
            created_at=T0,
            sources=(),
            changes=(),
        )
        for n in range(COUNT_CAP + 200)
    ]


async def test_a_word_common_in_the_workspace_ranks_the_same_when_searched_again(
    desk: Desk, tmp_path: Path
) -> None:
    # "council" is in more claims than a word's matches are counted up to (lexical.COUNT_CAP):
    # the store remembers it is common and skips counting it the next time. The ranking must
    # not change, on the same store or on a fresh one over the same file.
    await desk.store.bulk_import(WS, council_claims(desk), at=T0)
    query = "council budget harbour flooding"

    async def ranked(service: ClaimService) -> list[int]:
        return ids((await service.search(desk.reporter, query)).items)

    first = await ranked(desk.service)
    holding_all = sorted((n + 1 for n in range(COUNT_CAP + 200) if n % 97 == 0), reverse=True)
    assert first == holding_all[: len(first)]
    assert await ranked(desk.service) == first
    fresh = await desk.reopen()
    try:
        assert (
            await ranked(ClaimService(fresh, StepClock(), matcher=Matcher.words_only(fresh)))
            == first
        )
    finally:
        await fresh.close()


async def test_a_sources_headline_is_searched_and_weighs_like_the_text(desk: Desk) -> None:
    await add_kursk(desk)
    headline = NewSource(
        url="https://example.org/kursk-recapture",
        title="Moscow claims recapture of Sudzha",
        outlet="example.org",
        stance=Stance.CONTEXT,
        note="",
    )
    assert await desk.service.import_source(desk.editor, 1, headline)
    page = await desk.service.search(desk.reporter, "sudzha recapture")
    assert ids(page.items) == [1]
    assert page.items[0].match is not None
    assert page.items[0].match.words == ("sudzha", "recapture")


async def test_a_sources_note_is_searched_and_stays_consistent_in_the_index(desk: Desk) -> None:
    await add_kursk(desk)
    # A note alone (a quote from the article), then a headline with a note: the index row is
    # rewritten each time from its exact old values, and a rebuild from scratch agrees.
    await desk.service.add_source(
        desk.reporter, 1, "https://example.org/a", note="Troops entered Sudzha at dawn"
    )
    headline = NewSource(
        url="https://example.org/b",
        title="Moscow claims recapture",
        outlet="example.org",
        stance=Stance.CONTEXT,
        note="The defence ministry showed footage from Plekhovo",
    )
    assert await desk.service.import_source(desk.editor, 1, headline)
    for words in ("sudzha dawn", "plekhovo footage", "recapture"):
        assert ids((await desk.service.search(desk.reporter, words)).items) == [1], words
    if desk.path is None:
        return  # what follows is SQLite's FTS5 index, rebuilt, against the one kept up
    incremental = _index_terms(desk)
    with sqlite3.connect(desk.file) as conn:
        conn.execute("INSERT INTO search_index_rebuild VALUES (1)")
    rebuilt = await SqliteStore.open(desk.file)  # rebuilds the index as it opens
    await rebuilt.close()
    assert _index_terms(desk) == incremental


def _index_terms(desk: Desk) -> list[tuple[str, str, int]]:
    """Every (term, column, documents) the full-text index holds."""
    with sqlite3.connect(desk.file) as conn:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, claims_fts, col)"
        )
        return conn.execute("SELECT term, col, doc FROM temp.v ORDER BY 1, 2").fetchall()


async def test_check_takes_a_whole_message_and_refuses_a_longer_one(desk: Desk) -> None:
    await add_kursk(desk)
    padding = " ".join(["Breaking news from the front line today."] * 95)
    message = f"{padding} Putin says Russian forces regained full control of Kursk. "
    assert len(message) <= 4000
    matches = await desk.service.check_text(desk.reporter, message)
    assert ids(matches)[:1] == [1]
    before = await desk.snapshot()
    with pytest.raises(InvalidInput, match=r"too long to check .*at most 4,000"):
        await desk.service.check_text(desk.reporter, message + "x" * (4001 - len(message)))
    assert (await desk.snapshot()) == before


async def test_check_shows_nothing_for_a_message_about_something_else(desk: Desk) -> None:
    await add_kursk(desk)
    assert await desk.service.check_text(desk.reporter, "Lovely weather for a picnic.") == []
    # One shared word of many is not a match either.
    assert (
        await desk.service.check_text(
            desk.reporter, "The new museum in Lisbon opens in May with a modern art show."
        )
        == []
    )


async def test_a_pasted_post_is_matched_by_its_words_not_its_links(desk: Desk) -> None:
    await add_kursk(desk)
    matches = await desk.service.check_text(
        desk.reporter,
        "Putin: Russian forces regained full control of the Kursk region"
        " https://t.co/AbCdEf #KurskRegion — News Bot (@newsbot) April 26, 2025",
    )
    assert ids(matches)[:1] == [1]
    assert matches[0].match is not None
    assert "https" not in matches[0].match.words


# ------------------------------------------------------------------------ by meaning
async def test_meaning_finds_a_claim_that_shares_no_word_with_the_question(
    smart_desk: Desk,
) -> None:
    desk = smart_desk
    await add_kursk(desk)
    assert await desk.embedding.drain() == 4
    page = await desk.service.search(desk.reporter, "did pyongyang send soldiers to fight")
    # No word of the question is in the North Korean claim, yet it is found, and says why.
    found = {item.id: item for item in page.items}
    assert 2 in found
    info = found[2].match
    assert info is not None
    assert info.words == ()
    assert info.similarity is not None
    assert match_note(found[2]) == f"{info.similarity:.0%} similar in meaning"
    # The bridge claim is near nothing the question says: not shown at all.
    assert 4 not in found
    # Nor is anything, for a search about nothing stored.
    assert (await desk.service.search(desk.reporter, "bananas are good for you")).items == ()


async def test_a_claim_is_found_by_words_until_it_is_embedded(smart_desk: Desk) -> None:
    desk = smart_desk
    await add_kursk(desk)
    counts = await desk.store.embedding_counts()
    assert (counts.embedded, counts.queued) == (0, 4)  # /claim add did not wait for the model
    found = await desk.service.search(desk.reporter, "north korean troops")
    assert ids(found.items)[0] == 2
    assert found.items[0].match is not None
    assert found.items[0].match.similarity is None
    await desk.embedding.drain()
    counts = await desk.store.embedding_counts()
    assert (counts.embedded, counts.queued) == (4, 0)
    found = await desk.service.search(desk.reporter, "north korean troops")
    assert found.items[0].match is not None
    assert found.items[0].match.similarity is not None


async def test_a_near_duplicate_in_other_words_is_shown_instead_of_stored(
    smart_desk: Desk,
) -> None:
    desk = smart_desk
    await add_kursk(desk)
    await desk.embedding.drain()
    outcome = await desk.service.add_claim(
        desk.reporter, "The bridge will open again in May, says the mayor."
    )
    assert isinstance(outcome, DuplicateSuspected)
    assert ids(outcome.candidates) == [4]
    different = await desk.service.add_claim(desk.reporter, "Unemployment fell in October.")
    assert isinstance(different, ClaimAdded)


async def test_a_titled_source_queues_the_claim_to_be_embedded_again(smart_desk: Desk) -> None:
    desk = smart_desk
    await add_kursk(desk)
    await desk.embedding.drain()
    plain = NewSource(
        url="https://example.org/a", title="", outlet="", stance=Stance.CONTEXT, note=""
    )
    await desk.service.import_source(desk.editor, 1, plain)
    assert (await desk.store.embedding_counts()).queued == 0
    titled = plain.model_copy(update={"url": "https://example.org/b", "title": "Kremlin claim"})
    await desk.service.import_source(desk.editor, 1, titled)
    assert (await desk.store.embedding_counts()).queued == 1
    assert await desk.embedding.drain() == 1


async def test_vectors_never_cross_workspaces(smart_desk: Desk) -> None:
    desk = smart_desk
    await add_kursk(desk)
    await desk.embedding.drain()
    page = await desk.service.search(desk.outsider, "did pyongyang send soldiers to fight")
    assert page.items == ()
    assert await desk.service.check_text(desk.outsider, KURSK[0][0]) == []


async def test_another_model_embeds_every_claim_again(smart_desk: Desk, embedder: Embedder) -> None:
    desk = smart_desk
    await add_kursk(desk)
    await desk.embedding.drain()

    class Renamed:
        model_name = "another-model"

        def embed(self, texts: list[str]) -> object:
            return embedder.embed(texts)

    worker = EmbeddingWorker(desk.store, SemanticModel.ready_with(Renamed()))  # type: ignore[arg-type]
    assert await worker.drain() == 4
    assert (await desk.store.embedding_counts()).embedded == 4


# ------------------------------------------------------------- when there is no model
class Recorded(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_a_model_that_cannot_load_leaves_matching_by_words(desk: Desk) -> None:
    def broken(downloading: object) -> Embedder:
        raise EmbedderUnavailable("no network and no matching.model_path")

    # Listening on the module's own logger: other tests reconfigure the root logger.
    recorded = Recorded()
    logger = logging.getLogger("bot.core.matching.embedder")
    logger.addHandler(recorded)
    try:
        model = SemanticModel(broken, name=MODEL_NAME, remedy="Set matching.model_path")
        model.start()
        assert await model.wait_loaded(5) is False
    finally:
        logger.removeHandler(recorded)
    assert model.state is ModelState.FAILED
    # What is wrong, and what to do about it, wherever it is said.
    said = (
        "off (no network and no matching.model_path); matching by words only."
        " Set matching.model_path"
    )
    assert model.describe() == said
    assert recorded.messages == [f"Semantic matching is {said}."]
    service = ClaimService(desk.store, StepClock(), matcher=Matcher(desk.store, model))
    await add_kursk(desk)
    assert ids(await service.check_text(desk.reporter, KURSK[0][0]))[:1] == [1]
    status = await service.matching_status()
    assert status.semantic.startswith("off (")
    assert status.queued == 4


async def test_a_model_stuck_loading_never_holds_anything_up(desk: Desk) -> None:
    release = threading.Event()

    def stuck(downloading: Callable[[], None]) -> Embedder:
        downloading()
        release.wait(30)
        raise EmbedderUnavailable("gave up")

    model = SemanticModel(stuck, name=MODEL_NAME)
    model.start()
    try:
        service = ClaimService(desk.store, StepClock(), matcher=Matcher(desk.store, model))
        await add_kursk(desk)
        page = await service.search(desk.reporter, "north korean troops")
        assert ids(page.items)[0] == 2
        assert model.describe().startswith("fetching ")
        # A one-off command does not wait for a download either.
        assert await model.wait_loaded(10) is False
    finally:
        release.set()


async def test_embed_waits_for_a_download_and_then_says_why_it_failed() -> None:
    fetched = threading.Event()

    def slow(downloading: Callable[[], None]) -> Embedder:
        downloading()
        fetched.wait(30)
        raise EmbedderUnavailable("the hub answered 503")

    model = SemanticModel(slow, name=MODEL_NAME, remedy="Set matching.model_path")
    model.start()
    try:
        # Still fetching when the wait runs out: not ready, and still saying so.
        assert await model.wait_loaded(0.2, download=True) is False
        assert model.describe().startswith("fetching ")
        fetched.set()
        assert await model.wait_loaded(10, download=True) is False
    finally:
        fetched.set()
    assert model.state is ModelState.FAILED
    assert model.describe().endswith(
        "(the hub answered 503); matching by words only. Set matching.model_path"
    )


def test_an_offline_machine_is_told_at_once_and_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hub that cannot be reached: refused at once, not after fastembed's minute of retries.
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    started = time.monotonic()
    with pytest.raises(
        EmbedderUnavailable, match=r"cannot be fetched: hub\.invalid cannot be reached"
    ):
        fastembed.load("sentence-transformers/all-MiniLM-L6-v2", model_path=None,
                       cache_dir=tmp_path, threads=None)  # fmt: skip
    assert time.monotonic() - started < fastembed.HUB_TIMEOUT + 5


def test_a_model_folder_without_a_model_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match=r"no model.onnx in .*matching.model_path"):
        fastembed.load(MODEL_NAME, model_path=tmp_path, cache_dir=None, threads=None)


def test_the_model_runs_without_spinning_threads_and_still_embeds_by_meaning(
    embedder: Embedder,
) -> None:
    # Spinning ONNX threads took the cores the store needs while a text was embedded beside
    # a search (bot/embedding/fastembed.py); the session is reopened with spinning off.
    assert isinstance(embedder, fastembed.FastembedEmbedder)
    assert embedder.session_settings == {
        "session.intra_op.allow_spinning": "0",
        "session.inter_op.allow_spinning": "0",
    }
    claim, reworded, other = embedder.embed(
        [
            "Russian forces have regained full control of the Kursk region.",
            "Moscow says its army retook all of the Kursk region.",
            "The mayor said the bridge will reopen in May.",
        ]
    )
    assert float(claim @ reworded) > 0.6 > float(claim @ other)


async def test_the_stored_vectors_are_codes_and_int8(smart_desk: Desk) -> None:
    desk = smart_desk
    await add_kursk(desk)
    await desk.embedding.drain()
    sizes = await desk.query("SELECT DISTINCT length(code), length(vector) FROM claim_vectors")
    assert sizes == [(48, 384)]


async def test_other_workspace_search_still_works_by_words(desk: Desk) -> None:
    await add_kursk(desk)
    await desk.service.add_claim(desk.outsider, "Kursk power plant was shelled overnight.")
    page = await desk.service.search(desk.outsider, "kursk")
    assert [i.text for i in page.items] == ["Kursk power plant was shelled overnight."]
    assert OTHER_WS != WS


async def test_a_claim_whose_source_quotes_the_new_one_is_no_duplicate_of_it(desk: Desk) -> None:
    # Notes are searched (a quote, a summary), but a near-duplicate must say the same thing
    # itself: this stored claim only quotes, in a source, what the new one claims.
    first = await desk.service.add_claim(
        desk.reporter, "Ukrainian troops are still conducting operations in the border area."
    )
    assert isinstance(first, ClaimAdded)
    await desk.service.add_source(
        desk.reporter,
        first.claim.id,
        "https://example.org/rebuttal",
        note="Moscow says Russian troops regained full control of the Kursk region",
    )
    new = await desk.service.add_claim(
        desk.reporter, "Russian troops regained full control of the Kursk region."
    )
    assert isinstance(new, ClaimAdded)
    # Yet a search finds the first claim by its source's words.
    assert first.claim.id in ids((await desk.service.search(desk.reporter, "regained")).items)


async def test_searches_within_a_tag_or_a_phrase_agree_however_many_claims_it_keeps(
    desk: Desk,
) -> None:
    # A store may read a filter that keeps few claims in one pass, and one that keeps more
    # than COUNT_CAP word by word (PostgreSQL does): the answers must not depend on which.
    # Every claim is tagged "budget" (a broad tag); every 97th also "harbour" (a narrow one)
    # and says "after the harbour flooding".
    total = COUNT_CAP + 200
    tags: dict[int, tuple[str, ...]] = {
        n: ("budget", "harbour") if n % 97 == 0 else ("budget",) for n in range(total)
    }
    await desk.store.bulk_import(WS, council_claims(desk, tags), at=T0)
    flooded = sorted((n + 1 for n in range(total) if n % 97 == 0), reverse=True)

    async def found(text: str, tag: str | None = None) -> list[int]:
        page = await desk.service.search(desk.reporter, text, tag=tag, page_size=25)
        return ids(page.items)

    assert await found("flooding", tag="harbour") == flooded  # narrow tag, a word it holds
    assert await found("council", tag="harbour") == flooded  # narrow tag, a common word
    assert await found("flooding", tag="budget") == flooded  # broad tag, a rare word
    assert await found('"harbour flooding"') == flooded  # narrow phrase
    assert await found('"harbour flooding"', tag="budget") == flooded
    assert await found('"council said"', tag="harbour") == flooded
    assert await found("harbour flood*") == flooded  # a prefix, found by its pair
    assert await found('"the council said" flooding') == flooded  # a broad phrase, a rare word
    # A broad phrase within a broad tag: the newest claims holding it, plain texts first
    # (the flooded ones are longer, so "council" weighs less in them).
    newest = await found('"the council said"', tag="budget")
    plain = [n for n in range(total, 0, -1) if (n - 1) % 97 != 0]
    assert newest == plain[:25]
