"""Turn what a person types into a safe FTS5 query.

Words are ANDed, "quoted phrases" stay phrases, a trailing * keeps a prefix search. Everything is
quoted, so FTS5 operators or column filters typed by a user are searched as plain words and can
never produce a syntax error.
"""

from __future__ import annotations

import re

from bot.core.errors import InvalidInput

_PIECE = re.compile(r'"([^"]*)"|(\S+)')
_HAS_WORD = re.compile(r"[^\W_]", re.UNICODE)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def user_query(text: str) -> str:
    parts: list[str] = []
    for match in _PIECE.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            if _HAS_WORD.search(phrase):
                parts.append(_quote(phrase))
            continue
        prefix = word.endswith("*") and len(word) > 1
        word = word.rstrip("*")
        if not _HAS_WORD.search(word):
            continue
        parts.append(_quote(word) + ("*" if prefix else ""))
    if not parts:
        raise InvalidInput("There is nothing to search for: type at least one word.")
    return " ".join(parts)


def at_least_two_of(words: list[str]) -> str:
    quoted = [_quote(w) for w in words]
    pairs = [f"({a} AND {b})" for i, a in enumerate(quoted) for b in quoted[i + 1 :]]
    return " OR ".join(pairs)


def all_of(words: list[str]) -> str:
    return " ".join(_quote(w) for w in words)


def within_tag(match: str, tag: str) -> str:
    """Narrow a query to claims whose tags column holds the tag's words, in order.

    FTS5 intersects the two doclists by seeking, so a common word inside a small tag costs
    what the tag costs. The caller still checks the exact tag (the tokenizer splits
    "kursk-region" into two words, which two separate tags could also produce).
    """
    return f"({match}) AND tags : {_quote(tag)}"
