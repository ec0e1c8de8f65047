"""What is typed is what is stored: for any claim text and options, `/claim add` stores exactly
the fields typed, and a word that belongs to no field is refused, never added to the text (the
history is append-only, so a spilled word could never be taken back)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.commands import CommandRunner
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.errors import InvalidInput
from tests.conftest import Desk

ADD_KEYS = ("claimant", "tags", "source", "stance", "date", "force")
# Words as people type them, colons and punctuation included ("said:", "3:1", "U.S."); only a
# word that starts like one of add's options is an option.
word = st.from_regex(r"[A-Za-z0-9',.!?:%-]{1,10}", fullmatch=True).filter(
    lambda w: not re.match(rf"({'|'.join(ADD_KEYS)}):", w)
)
text_words = st.lists(word, min_size=1, max_size=8)
claimant_words = st.lists(word, min_size=1, max_size=4)
tag = st.from_regex(r"[a-z0-9]{1,8}( [a-z0-9]{1,8})?", fullmatch=True)
tags = st.lists(tag, min_size=1, max_size=4, unique_by=lambda t: t.replace(" ", "-"))
url = st.from_regex(r"https://example\.org/[A-Za-z0-9._~/-]{0,15}", fullmatch=True)
stance = st.sampled_from(["supports", "refutes", "context"])


def _tags_option(values: list[str]) -> str:
    return "tags:" + ",".join(f'"{t}"' if " " in t else t for t in values)


@st.composite
def add_lines(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A `/claim add` line with options in any order, and the fields it means."""
    text = "A claim that " + " ".join(draw(text_words))
    fields: dict[str, object] = {"text": text}
    options: list[str] = []
    if draw(st.booleans()):
        fields["claimant"] = " ".join(draw(claimant_words))
        options.append(f"claimant:{fields['claimant']}")
    if draw(st.booleans()):
        typed = draw(tags)
        fields["tags"] = tuple(typed)
        options.append(_tags_option(typed))
    if draw(st.booleans()):
        fields["source"] = draw(url)
        options.append(f"source:{fields['source']}")
        if draw(st.booleans()):
            fields["stance"] = draw(stance)
            options.append(f"stance:{fields['stance']}")
    options = draw(st.permutations(options))
    return " ".join(["/claim add", text, *options, "force:yes"]), fields


@given(add_lines())
def test_every_field_parsed_is_exactly_the_one_typed(case: tuple[str, dict[str, object]]) -> None:
    line, fields = case
    command = g.parse(line)
    assert isinstance(command, g.Add)
    assert command.text == fields["text"]
    assert command.claimant == fields.get("claimant")
    assert command.tags == fields.get("tags")
    assert command.source == fields.get("source")
    assert command.stance == fields.get("stance")
    assert command.force


@given(add_lines(), st.sampled_from(["tags:kursk", "source:https://example.org/x", "date:2025"]),
       text_words)  # fmt: skip
def test_a_word_after_a_one_word_option_is_refused(
    case: tuple[str, dict[str, object]], option: str, stray: list[str]
) -> None:
    line, _ = case
    spilled = f"{line.removesuffix(' force:yes')} {option} {' '.join(stray)}"
    if re.search(rf"\s{option.split(':')[0]}:", line):
        return  # the option is there already: refused as given twice, tested elsewhere
    with pytest.raises(InvalidInput, match="is not part of it, so nothing was changed"):
        g.parse(spilled)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=add_lines())
async def test_what_is_stored_is_what_was_typed(
    desk: Desk, case: tuple[str, dict[str, object]]
) -> None:
    line, fields = case
    reply = await CommandRunner(desk.service).run_line(desk.reporter, line)
    assert isinstance(reply, r.AddedReply)
    detail = await desk.service.show(desk.reporter, str(reply.claim.id))
    claim = detail.claim
    assert claim.text == fields["text"]
    assert claim.claimant == fields.get("claimant", "")
    # A tag is kept in its one written form: lower case, a space as '-'.
    assert claim.tags == tuple(t.replace(" ", "-") for t in fields.get("tags", ()))  # type: ignore[attr-defined]
    assert [s.url for s in detail.sources] == ([fields["source"]] if "source" in fields else [])
    if "stance" in fields:
        assert detail.sources[0].stance.value == fields["stance"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "/claim add The council will raise rates by five percent tags:local politics,budget",
            'A tag with a space needs quotes: tags:"local politics",budget',
        ),
        (
            "/claim add The council will raise rates source:https://example.org/a b",
            "A link cannot contain spaces (write a space inside a link as %20)",
        ),
        (
            "/claim add tags:budget The council will raise rates",
            "put the claim's text before the options",
        ),
        (
            "/claim dispute 3 version:4 Ukraine denies it",
            "Put the reason before the options",
        ),
        (
            "/claim source 5 https://example.org/a b",
            "A link cannot contain spaces: “https://example.org/a b” — write a space inside a"
            " link as %20. If “b” is a note, put it after note:, e.g. /claim source 5"
            " https://example.org/a note:b",
        ),
        ("/claim add The council will rise source: https://x.org", "with no space: source:https"),
        ('/claim add The council will rise claimant:"A B', "opens a quote"),
    ],
)
async def test_a_spill_is_refused_with_the_fix_and_stores_nothing(
    desk: Desk, line: str, message: str
) -> None:
    await desk.service.add_claim(desk.reporter, "A claim already on the desk.", force=True)
    before = await desk.snapshot()
    with pytest.raises(InvalidInput) as refusal:
        await CommandRunner(desk.service).run_line(desk.reporter, line)
    assert message in str(refusal.value)
    assert await desk.snapshot() == before


def test_a_text_in_quotes_keeps_its_inner_quotes() -> None:
    command = g.parse('/claim add "Fake" news is rising "fast" claimant:Dwayne "The Rock" Johnson')
    assert command == g.Add('"Fake" news is rising "fast"', claimant='Dwayne "The Rock" Johnson')
