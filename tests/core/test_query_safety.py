"""Nothing a person types can break a query: every text either matches or is refused plainly."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidInput
from bot.store import lexical_ranking as lexical
from bot.store.sqlite.fts_query import Pairs, expression, quote
from tests.conftest import Desk

# Claims whose words make FTS5 split, fold or skip: accents, apostrophes, hyphens, dots,
# non-Latin scripts, symbols, and words spelt like FTS5's operators.
CLAIMS = [
    "A café in Kyiv was hit by a drone strike on Monday.",
    "North-Korean troops were seen near Sudzha, U.S. officials said.",
    "The COVID-19 vaccine does NOT contain microchips, NEAR the border OR anywhere.",
    "Russia's claim of “full control” is propaganda, says Kyiv.",
    "Київ заявляє про контроль над регіоном.",
    "東京で地震が発生した。",
    "Naïve façade: São Paulo's mayor ² says the budget rose ①.",
]

# The characters people and attackers type: FTS5's syntax, quotes of every kind, accents,
# scripts, digits that are not ASCII, and control and surrogate-free oddities.
SPECIAL = [
    *'"\'*^:()-+.,/\\{}[]<>|&!?@#%$~`=_',
    "\u201c", "\u201d", "\u2019", "é", "ï", "ç", "ø", "ß", "К", "и", "東", "²", "①", "\u00a0",
    "\u200b", "\u202e", "\t", "\n",
]  # fmt: skip
WORDS = [
    "AND", "OR", "NOT", "NEAR", "NEAR(", "text:", "tags:", "pairs:", "kursk", "café", "u.s.",
    "north-korean", "covid-19", "russia's", "\"full control\"", "full*", "*", "the", "Київ",
    "http://example.org/a?b=c", "unpaired", "ǂ",
]  # fmt: skip

queries = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(alphabet=st.sampled_from(SPECIAL), max_size=6),
              st.text(max_size=8)),
    min_size=1,
    max_size=8,
).map(" ".join)  # fmt: skip


async def fill(desk: Desk) -> None:
    if await desk.store.workspaces():
        return
    for text in CLAIMS:
        await desk.service.add_claim(desk.reporter, text, tags="kursk-region", force=True)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=queries)
async def test_search_and_check_never_fail_on_any_text(desk: Desk, text: str) -> None:
    await fill(desk)
    for run in (
        lambda: desk.service.search(desk.reporter, text),
        lambda: desk.service.search(desk.reporter, text, status="disputed", tag="kursk-region"),
        lambda: desk.service.check_text(desk.reporter, text),
    ):
        try:
            await run()
            answer = "answered"
        except InvalidInput as refusal:
            answer = str(refusal)  # a refusal must say what is wrong
        except sqlite3.Error as error:  # what this test exists to catch
            pytest.fail(f"{text!r} reached SQLite as a broken query: {error}")
        assert answer


@pytest.mark.parametrize(
    "text",
    [
        "north-korean troops",
        "U.S. troops",
        "COVID-19 vaccine",
        "Russia's claim",
        'kursk "full control"',
        "https://www.example.org/nk-troops?x=1#y",
        "café OR NEAR(kyiv)",
        "Київ",
    ],
)
async def test_the_reported_crashes_are_answered(desk: Desk, text: str) -> None:
    await fill(desk)
    page = await desk.service.search(desk.reporter, text)
    assert page.total >= 0


async def test_the_accented_claim_and_split_words_still_match(desk: Desk) -> None:
    await fill(desk)
    assert [i.id for i in (await desk.service.search(desk.reporter, "cafe")).items] == [1]
    found = await desk.service.search(desk.reporter, "north-korean troops")
    assert [i.id for i in found.items][:1] == [2]
    assert [i.id for i in (await desk.service.search(desk.reporter, "Київ")).items] == [5]


@example(text='" 0\x00 "full control"')  # a NUL inside a phrase left its quote unclosed
@given(text=queries)
@settings(max_examples=300, deadline=None)
def test_parsed_words_never_carry_fts5_syntax(text: str) -> None:
    parsed = lexical.parse(text)
    for term in parsed.terms:
        assert term.word
        assert '"' not in term.word
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter unicode61')")
    for term in parsed.terms:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (quote(term.word),))
    for piece in parsed.required:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (expression(piece, Pairs.OFF),))
