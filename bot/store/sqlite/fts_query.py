"""Turn what a person types into a safe FTS5 query.

Words are ANDed, "quoted phrases" stay phrases, a trailing * keeps a prefix search. Everything is
quoted, so FTS5 operators or column filters typed by a user are searched as plain words and can
never produce a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.core.errors import InvalidInput
from bot.store.sqlite.search_index import NO_PAIRS, pairs
from bot.store.sqlite.tokens import is_exact, tokens

_PIECE = re.compile(r'"([^"]*)"|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Pairs(Enum):
    """How a query may use the word-pair column (see search_index.py)."""

    OFF = "off"  # the linked FTS5 does not tokenize like the twin: plain phrases only
    ALL_PAIRED = "all paired"  # every claim searched has its pairs
    SOME_UNPAIRED = "some unpaired"  # some claims have none: look for the plain phrase there


@dataclass(frozen=True)
class Piece:
    """One word or quoted phrase as typed, and the terms FTS5 makes of it."""

    text: str
    prefix: bool
    terms: tuple[str, ...]

    @property
    def uses_pairs(self) -> bool:
        """Pairs only where FTS5's terms are known exactly, and for two whole terms or more."""
        return is_exact(self.text) and len(self.terms) - self.prefix >= 2

    def expression(self, pairs_use: Pairs) -> str:
        plain = _quote(self.text) + ("*" if self.prefix else "")
        if pairs_use is Pairs.OFF or not self.uses_pairs:
            return plain
        unpaired = f"pairs : {_quote(NO_PAIRS)}"
        if self.prefix:
            # The last term is incomplete and cannot be looked up whole: the pairs before it
            # narrow the plain phrase instead of replacing it.
            within = f"pairs : {_quote(' '.join(pairs(self.terms[:-1])))}"
            if pairs_use is Pairs.SOME_UNPAIRED:
                within = f"({within} OR {unpaired})"
            return f"({plain} AND {within})"
        # The phrase of pairs is the phrase itself wherever pairs were written.
        paired = f"pairs : {_quote(' '.join(pairs(self.terms)))}"
        if pairs_use is Pairs.ALL_PAIRED:
            return paired
        return f"({paired} OR ({plain} AND {unpaired}))"


@dataclass(frozen=True)
class TextQuery:
    pieces: tuple[Piece, ...]

    @property
    def uses_pairs(self) -> bool:
        return any(piece.uses_pairs for piece in self.pieces)

    def expression(self, *, pairs_use: Pairs, tag: str | None = None) -> str:
        """The FTS5 query: every piece, within the tag if one is given."""
        match = " ".join(piece.expression(pairs_use) for piece in self.pieces)
        if tag:
            # FTS5 intersects the doclists by seeking, so a common word inside a small tag
            # costs what the tag costs. The caller still checks the exact tag (the tokenizer
            # splits "kursk-region" into two words, which two separate tags could also produce).
            match = f"({match}) AND tags : {_quote(tag)}"
        return match


def parse(text: str) -> TextQuery:
    parts: list[Piece] = []
    for match in _PIECE.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            if _HAS_WORD.search(phrase):
                parts.append(Piece(phrase, False, tuple(tokens(phrase))))
            continue
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*")
        if not _HAS_WORD.search(word):
            continue
        parts.append(Piece(word, prefix, tuple(tokens(word))))
    if not parts:
        raise InvalidInput("There is nothing to search for: type at least one word.")
    return TextQuery(tuple(parts))


def at_least_two_of(words: list[str]) -> str:
    quoted = [_quote(w) for w in words]
    combinations = [f"({a} AND {b})" for i, a in enumerate(quoted) for b in quoted[i + 1 :]]
    return " OR ".join(combinations)


def any_of(words: list[str]) -> str:
    return " OR ".join(_quote(w) for w in words)


def all_of(words: list[str]) -> str:
    return " ".join(_quote(w) for w in words)
