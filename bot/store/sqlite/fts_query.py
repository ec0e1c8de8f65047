"""Pieces of FTS5 queries that are safe whatever a person typed.

``quote`` makes any text one FTS5 string; a ``Piece`` (a "quoted phrase" or a prefix* word) is
written with the word-pair column where that is faster (``expression``). Every operator is written by the
store (see lexical.py), so FTS5 operators or column filters typed by a user are searched as
plain words and can never produce a syntax error.
"""

from __future__ import annotations

from enum import Enum

from bot.store.lexical_ranking import Piece
from bot.store.sqlite.search_index import NO_PAIRS, pairs
from bot.store.tokens import is_exact


def quote(term: str) -> str:
    """A string FTS5 reads as one phrase of its tokens, whatever it holds. A NUL becomes a
    space: SQLite reads a string only up to its first NUL, which left the quote unclosed
    ("unterminated string", found by the property test with '"0\x00 "full control"')."""
    return '"' + term.replace("\x00", " ").replace('"', '""') + '"'


class Pairs(Enum):
    """How a query may use the word-pair column (see search_index.py)."""

    OFF = "off"  # the linked FTS5 does not tokenize like the twin: plain phrases only
    ALL_PAIRED = "all paired"  # every claim searched has its pairs
    SOME_UNPAIRED = "some unpaired"  # some claims have none: look for the plain phrase there


def uses_pairs(piece: Piece) -> bool:
    """Pairs only where FTS5's terms are known exactly, and for two whole terms or more."""
    return is_exact(piece.text) and len(piece.terms) - piece.prefix >= 2


def expression(piece: Piece, pairs_use: Pairs) -> str:
    """The FTS5 expression that requires ``piece`` of a match."""
    plain = quote(piece.text) + ("*" if piece.prefix else "")
    if pairs_use is Pairs.OFF or not uses_pairs(piece):
        return plain
    unpaired = f"pairs : {quote(NO_PAIRS)}"
    if piece.prefix:
        # The last term is incomplete and cannot be looked up whole: the pairs before it
        # narrow the plain phrase instead of replacing it.
        within = f"pairs : {quote(' '.join(pairs(piece.terms[:-1])))}"
        if pairs_use is Pairs.SOME_UNPAIRED:
            within = f"({within} OR {unpaired})"
        return f"({plain} AND {within})"
    # The phrase of pairs is the phrase itself wherever pairs were written.
    paired = f"pairs : {quote(' '.join(pairs(piece.terms)))}"
    if pairs_use is Pairs.ALL_PAIRED:
        return paired
    return f"({paired} OR ({plain} AND {unpaired}))"
