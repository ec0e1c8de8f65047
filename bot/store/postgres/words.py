"""The words a claim is found by on PostgreSQL: a tsvector written by Claimdesk itself.

Each lexeme is a stem as ``bot/store/sqlite/tokens.py`` makes it (FTS5's folding and Porter
stemming, so both stores agree on what a word is), prefixed with the workspace's key: "12:kursk".
A GIN index then keeps each workspace's matches of a word apart, as SQLite's rowid ranges do,
so counting a word in one workspace never reads another's matches. Queries are tsquery text
built here from quoted lexemes, so nothing a user types is read as tsquery syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from bot.store.lexical_ranking import Piece
from bot.store.tokens import stem, words

# A tag's lexeme: "#" never starts a stem (stems are letters and digits).
TAG = "#"
# Two neighbouring words of one column, as one lexeme ("12:~gas~station"): a phrase of common
# words is found from the index by its pairs, as SQLite's word-pair column finds it. The leading
# "~" keeps a prefix search ("gas*") from matching pairs, which have no positions.
PAIR = "~"


def pair(first: str, second: str) -> str:
    return f"{PAIR}{first}{PAIR}{second}"


# tsvector positions stop at 16,383: later words keep that position (phrases there may blur).
_LAST_POSITION = 16383

# What a claim's sources say, as one text (the "titles" column of SQLite's index).
SOURCES_TEXT_OF = (
    "(SELECT coalesce(string_agg(trim(BOTH ' ' FROM s.title || ' ' || s.note), ' '"
    " ORDER BY s.id), '') FROM sources s"
    " WHERE s.claim_id = {claim} AND (s.title <> '' OR s.note <> ''))"
)


def word_key(workspace_key: int, stemmed: str) -> str:
    """A word as the index holds it (and term_counts counts it): the stem in its workspace."""
    return f"{workspace_key}:{stemmed}"


def lexeme(workspace_key: int, stemmed: str) -> str:
    """One quoted lexeme, as tsvector and tsquery input read it."""
    inner = word_key(workspace_key, stemmed).replace("\\", "\\\\").replace("'", "''")
    return f"'{inner}'"


def document(workspace_key: int, text: str, claimant: str, tags: str, said: str) -> str:
    """The tsvector input for a claim: the words of its text, claimant, tags (as stored: space-
    separated) and what its sources say, and each whole tag as a lexeme of its own ("12:#kursk"),
    so a search within a tag is one more word for the index."""
    entries: list[str] = []
    position = 0
    pairs: set[str] = set()
    for column in (text, claimant, tags, said):
        position += 1  # a gap: a phrase never runs from one column into the next
        stems = [stem(word) for word in words(column)]
        for stemmed in stems:
            position = min(position + 1, _LAST_POSITION)
            entries.append(f"{lexeme(workspace_key, stemmed)}:{position}")
        pairs.update(pair(a, b) for a, b in pairwise(stems))
    entries += [lexeme(workspace_key, p) for p in sorted(pairs)]
    entries += [lexeme(workspace_key, TAG + tag) for tag in tags.split()]
    return " ".join(entries)


def tagged(workspace_key: int, tag: str) -> str:
    """The tsquery of claims with ``tag``."""
    return lexeme(workspace_key, TAG + tag)


@dataclass(frozen=True)
class Required:
    """What a "quoted phrase" or prefix* word asks of every match, in two parts. ``indexed``
    is what the GIN index finds (its neighbouring pairs, found at once however common the
    words; or the lone word); ``confirmed`` is what only a claim's stored words can confirm
    (the phrase in order), or None. They are kept apart because a phrase handed to the index
    makes GIN read every one of its words' postings, a common word's hundreds of thousands."""

    indexed: str
    confirmed: str | None


def required(workspace_key: int, piece: Piece) -> Required:
    lexemes = [lexeme(workspace_key, s) for s in piece.terms]
    if piece.prefix and lexemes:
        lexemes[-1] += ":*"
    whole = piece.terms[:-1] if piece.prefix else piece.terms
    pairs = [lexeme(workspace_key, pair(a, b)) for a, b in pairwise(whole)]
    if len(lexemes) < 2:
        return Required(" & ".join(lexemes), None)  # one word: the index alone answers
    indexed = pairs or lexemes[: len(whole)]
    if piece.prefix:
        indexed.append(lexemes[-1])  # the unfinished word is in no pair
    return Required(" & ".join(indexed), " <-> ".join(lexemes))
