"""What matching reads of a text: the words worth looking up, and what a claim is embedded as."""

from __future__ import annotations

import re
from collections.abc import Sequence

# English function words: they say nothing about which claim is meant, and the commonest of them
# would each match most of an archive. (NLTK's and Lucene's lists, trimmed of words that carry a
# claim's meaning: "not", "no", "against", "over", "under", "more", "most", "few".) Both the
# whole contractions and the pieces a tokenizer splits them into ("didn", "t") are listed.
_STOPWORD_TEXT = """
a about above after again all am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each for from further had hadn't has hasn't have haven't having he he'd
he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in
into is isn't it it's its itself let's me my myself nor of off on once only or other ought
our ours ourselves out own same shan't she she'd she'll she's should shouldn't so some such
than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've this those through to too until up very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who who's whom
why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves s t just also via rt amp says say said
aren couldn didn doesn don hadn hasn haven isn mustn shan shouldn wasn weren won wouldn
d ll m re ve
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# What a claim is embedded as: its words, who made it, and its sources' headlines.
_EMBEDDED_TITLES = 3


def is_stopword(folded_word: str) -> bool:
    return folded_word in STOPWORDS or folded_word.replace("\u2019", "'") in STOPWORDS


def document_text(text: str, claimant: str, titles: Sequence[str]) -> str:
    """The text a claim's embedding is computed from (the model reads 256 tokens at most)."""
    parts = [text.strip()]
    if claimant.strip():
        parts.append(f"Claimed by {claimant.strip()}.")
    parts.extend(t.strip() for t in list(titles)[:_EMBEDDED_TITLES] if t.strip())
    return " ".join(parts)


# Links say where a message points, not what it claims. (The line an embedded post ends with,
# "— Jane Doe (@jane) February 25, 2016", stays: who posted it and when help find the claim,
# measured on the CheckThat! training tweets.)
_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)


# "@realDonaldTrump", "#StopTheSteal": a handle or hashtag is words run together.
_TAG = re.compile(r"(?<!\w)[@#](\w+)")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _spelled_out(match: re.Match[str]) -> str:
    words = _CAMEL.findall(match.group(1))
    return " ".join(words) if len(words) > 1 else match.group(1)


def message_text(text: str) -> str:
    """A pasted message without its links, its handles and hashtags spelled out as words (the
    text is kept whole if nothing else is left)."""
    stripped = " ".join(_TAG.sub(_spelled_out, _LINK.sub(" ", text)).split())
    return stripped or text


def checked_text(text: str) -> str:
    """A message as a check (or the near-duplicate prompt) reads it: ``message_text``, and its
    quotes and asterisks are not search syntax (a message is no query)."""
    return message_text(text).replace('"', " ").replace("*", " ")
