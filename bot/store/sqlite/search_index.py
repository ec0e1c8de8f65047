"""What the store writes into its full-text index, and the word-pair column that speeds phrases.

``claims_fts`` is a contentless FTS5 table (the words live in ``claims`` and ``sources``) with the
columns text, claimant, tags, titles (what the claim's sources say: their titles and notes) and
pairs. The store writes every row itself,
because the pairs column is computed here: each pair of neighbouring terms of a column glued
into one term ("said government" → ``saidǂgovernǂ``), the way search engines index shingles.

A phrase of common words is slow in plain FTS5: every claim holding all its words must have its
positions compared, hundreds of thousands of them at a million claims. Its pairs are rare even
when its words are not, and "a b c" is in a column exactly when the pairs ``aǂbǂ`` and ``bǂcǂ``
stand side by side in the pairs column, so ``fts_query`` asks for that phrase of pairs instead.

Why the glue is "ǂ" (U+01C2, a letter to unicode61, so a pair stays one term): no term of the
text contains it, so a pair names its two terms unambiguously, and a term ending in it is left
alone by the Porter stemmer (whose rules all look for ASCII suffixes), so a pair is indexed as
written. Columns are kept apart by a lone "ǂ", so pairs of two columns are never neighbours.

Pairs are written only where ``tokens`` agrees with FTS5 exactly; any other claim gets the
``NO_PAIRS`` term instead, and every phrase query also looks for the plain phrase among those
claims, so a phrase never misses a claim (it is only as fast as before on them).
``tokenizer_agrees`` checks the agreement against the FTS5 actually linked in when the store
opens.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from itertools import pairwise

import aiosqlite

from bot.store.bulk_rows import source_text as source_text
from bot.store.bulk_rows import sources_text as sources_text
from bot.store.tokens import is_exact, tokens

log = logging.getLogger(__name__)

GLUE = "\u01c2"
# A term no pair can be: pairs hold two terms and two GLUEs.
NO_PAIRS = "unpaired"
_REBUILD_BATCH = 5000

FtsRow = tuple[int, str, str, str, str, str]


def pairs(terms: Sequence[str]) -> list[str]:
    return [a + GLUE + b + GLUE for a, b in pairwise(terms)]


def pairs_column(*columns: str) -> str:
    """The pairs column for a claim's text, claimant, tags and titles, each column's pairs apart."""
    if not all(is_exact(column) for column in columns):
        return NO_PAIRS
    return f" {GLUE} ".join(" ".join(pairs(tokens(column))) for column in columns)


def fts_row(claim_id: int, text: str, claimant: str, tags: str, titles: str = "") -> FtsRow:
    return (claim_id, text, claimant, tags, titles, pairs_column(text, claimant, tags, titles))


# Pages written per merge step in the background: 2-3 ms of work (up to 10 ms) at a million
# claims, which is as long as a write can wait for one.
MERGE_PAGES = 16
# Between the batches of a bulk import nobody waits: larger steps, fewer transactions.
BULK_MERGE_PAGES = 4096


MERGE = "INSERT INTO claims_fts(claims_fts, rank) VALUES ('merge', ?)"


async def merge_step(conn: aiosqlite.Connection, pages: int = MERGE_PAGES) -> bool:
    """One bounded step of merging index segments; False when there was nothing to merge.

    The store writes with FTS5's automerge off (migration 3) and calls this in the background
    and between the batches of a bulk import. FTS5 documents the test: a 'merge' command
    changed fewer than two rows exactly when it did no work.
    """
    before = conn.total_changes
    await conn.execute(MERGE, (pages,))
    return conn.total_changes - before >= 2


async def merge_all(conn: aiosqlite.Connection) -> None:
    """Merge until FTS5 finds nothing left to merge (a bulk import, between batches)."""
    while await merge_step(conn, BULK_MERGE_PAGES):
        pass


INSERT_FTS = (
    "INSERT INTO claims_fts(rowid, text, claimant, tags, titles, pairs) VALUES (?, ?, ?, ?, ?, ?)"
)
# A contentless row is deleted by giving FTS5 the values it was indexed with.
DELETE_FTS = (
    "INSERT INTO claims_fts(claims_fts, rowid, text, claimant, tags, titles, pairs)"
    " VALUES ('delete', ?, ?, ?, ?, ?, ?)"
)
# What a claim's sources say, oldest first, as the titles column holds it: each source's title
# (a fact-check's headline) and note (a quote, a fact-check's summary). ``sources_text`` is the
# same in Python, character for character: a contentless row is deleted by its exact values.
SOURCES_TEXT_OF = (
    "SELECT coalesce(group_concat(said, ' '), '') FROM"
    " (SELECT trim(title || ' ' || note, ' ') AS said FROM sources"
    " WHERE claim_id = ? AND (title != '' OR note != '') ORDER BY id)"
)


async def insert(conn: aiosqlite.Connection, rows: Iterable[FtsRow]) -> None:
    await conn.executemany(INSERT_FTS, rows)


async def replace(conn: aiosqlite.Connection, old: FtsRow, new: FtsRow) -> None:
    """Re-index one claim (what its sources say changed)."""
    await conn.execute(DELETE_FTS, old)
    await conn.execute(INSERT_FTS, new)


async def rebuild_if_needed(conn: aiosqlite.Connection) -> int:
    """Fill the index from ``claims`` after the migration that asked for it; returns claims indexed.

    Runs in batches, each its own transaction; the request row goes last, so an interrupted
    rebuild starts again from scratch on the next start.
    """
    async with conn.execute("SELECT count(*) FROM search_index_rebuild") as cur:
        row = await cur.fetchone()
    if not row or not row[0]:
        return 0
    async with conn.execute("SELECT count(*) FROM claims") as cur:
        counted = await cur.fetchone()
    total = int(counted[0]) if counted else 0
    if total:  # a new, empty store has nothing to build
        log.info("building the search index for %s claims", f"{total:,}")
    await conn.execute("INSERT INTO claims_fts(claims_fts) VALUES ('delete-all')")
    done, after = 0, -1
    while True:
        async with conn.execute(
            "SELECT c.id, c.text, c.claimant, c.tags, ("
            + SOURCES_TEXT_OF.replace("?", "c.id")
            + ")"
            " FROM claims c WHERE c.id > ? ORDER BY c.id LIMIT ?",
            (after, _REBUILD_BATCH),
        ) as cur:
            batch = list(await cur.fetchall())
        if not batch:
            break
        await conn.execute("BEGIN IMMEDIATE")
        await insert(conn, [fts_row(*r) for r in batch])
        await conn.execute("COMMIT")
        done += len(batch)
        after = batch[-1][0]
        if done % 50_000 < _REBUILD_BATCH:
            log.info("search index: %s of %s claims", f"{done:,}", f"{total:,}")
    await conn.execute("DELETE FROM search_index_rebuild")
    return done


# Words that between them take every branch of the stemmer, and separators of several kinds.
_SELF_CHECK_TEXT = (
    "caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated "
    "troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational "
    "conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli "
    "analogousli vietnamization predication operator feudalism decisiveness hopefulness "
    "callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti "
    "electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable "
    "defensible irritant replacement adjustment dependent adoption homologou communism "
    "activate angulariti homologous effective bowdlerize probate rate cease controll roll "
    "Kursk\u2019s \u201cgas\u201d station \u2014 2025\u00a0report a b xy"
)


async def tokenizer_agrees(conn: aiosqlite.Connection) -> bool:
    """Whether the linked FTS5 tokenizes exactly as ``tokens`` does (checked on a sample)."""
    await conn.execute(
        "CREATE VIRTUAL TABLE temp.tokenizer_check USING fts5("
        "t, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    await conn.execute(
        "CREATE VIRTUAL TABLE temp.tokenizer_check_terms"
        " USING fts5vocab(temp, tokenizer_check, instance)"
    )
    try:
        await conn.execute(
            "INSERT INTO temp.tokenizer_check(rowid, t) VALUES (1, ?)", (_SELF_CHECK_TEXT,)
        )
        async with conn.execute(
            "SELECT term FROM temp.tokenizer_check_terms ORDER BY offset"
        ) as cur:
            theirs = [str(r[0]) for r in await cur.fetchall()]
    finally:
        await conn.execute("DROP TABLE temp.tokenizer_check_terms")
        await conn.execute("DROP TABLE temp.tokenizer_check")
    ours = tokens(_SELF_CHECK_TEXT)
    if theirs != ours:
        log.warning(
            "this SQLite's FTS5 tokenizes differently from Claimdesk's twin (first difference: "
            "%s); phrase searches will not use the word-pair index",
            next(((a, b) for a, b in zip(theirs, ours, strict=False) if a != b), "length"),
        )
    return theirs == ours
