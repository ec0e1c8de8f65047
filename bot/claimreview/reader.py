"""Published fact-checks in every shape they come in, read one review at a time.

Shapes: a ClaimReview JSON-LD object, an array of them, an ``@graph``, JSON-LD embedded in HTML
pages (``<script type="application/ld+json">``), the DataFeed that fact-check databases publish
(``{"@type": "DataFeed", "dataFeedElement": [{"item": [ClaimReview, …]}, …]}``, streamed with
ijson so that a feed of any size is read in constant memory), and responses of Google's Fact
Check Tools ``claims:search`` (``claims[].claimReview[]``).

Each review comes out as a ``Review``, or as a ``Malformed`` that says where it was and why it
was skipped; nothing here touches the store.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

import ijson

from bot.core.reviews import Malformed, Review, ReviewItem

# Why a dependency: ijson streams a DataFeed of 100,000 reviews in constant memory, where
# json.load would hold the whole feed (hundreds of MB) at once.


Item = ReviewItem


class Sources:
    """The files to read for ``paths`` (files, folders, ``-`` for standard input), and how far
    the reading has got in bytes, for a progress bar."""

    def __init__(self, paths: Iterable[str], stdin: IO[bytes] | None = None) -> None:
        self._stdin = stdin
        self.files: list[Path | None] = []  # None: standard input
        for given in paths:
            if given == "-":
                self.files.append(None)
                continue
            path = Path(given)
            if path.is_dir():
                self.files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
            else:
                self.files.append(path)
        self._done = 0
        self._current: IO[bytes] | None = None

    @property
    def total_bytes(self) -> int | None:
        """The size of everything to read; None when standard input is among it."""
        if any(f is None for f in self.files):
            return None
        return sum(f.stat().st_size for f in self.files if f is not None and f.exists())

    @property
    def bytes_read(self) -> int:
        current = self._current.tell() if self._current and not self._current.closed else 0
        return self._done + current

    def __iter__(self) -> Iterator[Item]:
        for file in self.files:
            if file is None:
                if self._stdin is not None:
                    yield from read_stream(self._stdin, "stdin")
                continue
            try:
                with file.open("rb") as stream:
                    self._current = stream
                    yield from read_stream(stream, str(file))
                self._done += file.stat().st_size
            except OSError as error:
                yield Malformed(str(file), f"cannot be read: {error.strerror or error}")
            finally:
                self._current = None


def read_paths(paths: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[Item]:
    """Every review in ``paths`` (files, folders, ``-`` for standard input), in order."""
    return iter(Sources(paths, stdin))


def read_stream(stream: IO[bytes], name: str) -> Iterator[Item]:
    if not stream.seekable():
        stream = io.BytesIO(stream.read())  # standard input is read whole; a file is streamed
    head = stream.read(4096)
    stream.seek(0)
    if head.lstrip()[:1] == b"<":
        yield from _from_html(stream.read().decode("utf-8", "replace"), name)
        return
    if _is_feed(stream):
        stream.seek(0)
        yield from _from_feed(stream, name)
        return
    stream.seek(0)
    try:
        document = json.loads(stream.read())
    except (ValueError, UnicodeDecodeError) as error:
        yield Malformed(name, f"not JSON: {error}")
        return
    yield from _from_document(document, name)


def _is_feed(stream: IO[bytes]) -> bool:
    """Whether the top-level object has a ``dataFeedElement`` (read as far as its key)."""
    try:
        for prefix, event, value in ijson.parse(stream):
            if prefix == "" and event == "map_key" and value == "dataFeedElement":
                return True
            if prefix == "" and event in ("end_map", "start_array"):
                return False
    except ijson.JSONError:
        return False
    return False


# Where a feed's reviews are: each DataFeedItem's "item", an array of reviews or one review.
_FEED_REVIEW = ("dataFeedElement.item.item", "dataFeedElement.item.item.item")
_SCALARS = ("string", "number", "boolean", "null")


def _from_feed(stream: IO[bytes], name: str) -> Iterator[Item]:
    """One review at a time, each built from the parser's events as it ends."""
    count = 0
    builder: Any = None
    top = ""
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if builder is None:
                if event == "start_map" and prefix in _FEED_REVIEW:
                    builder, top = ijson.ObjectBuilder(), prefix
                    builder.event(event, value)
                elif event in _SCALARS and prefix == _FEED_REVIEW[1]:
                    count += 1
                    yield Malformed(f"{name}: item {count}", "not a ClaimReview object")
                continue
            builder.event(event, value)
            if event == "end_map" and prefix == top:
                count += 1
                yield parse_review(builder.value, f"{name}: item {count}")
                builder = None
    except ijson.JSONError as error:
        yield Malformed(f"{name}: after item {count}", f"the feed breaks off: {error}")


def _from_document(document: Any, name: str) -> Iterator[Item]:
    if isinstance(document, dict) and isinstance(document.get("claims"), list):
        yield from reviews_from_google(document["claims"], name)
        return
    if isinstance(document, dict) and "dataFeedElement" in document:
        elements = document.get("dataFeedElement") or []
        flat = [r for e in elements if isinstance(e, dict) for r in _as_list(e.get("item"))]
        yield from _numbered(flat, name)
        return
    if isinstance(document, dict) and isinstance(document.get("@graph"), list):
        reviews = [n for n in document["@graph"] if _is_claim_review(n)]
        yield from _numbered(reviews, name)
        return
    yield from _numbered(_as_list(document), name)


def _numbered(reviews: list[Any], name: str) -> Iterator[Item]:
    single = len(reviews) == 1
    for n, review in enumerate(reviews, 1):
        yield parse_review(review, name if single else f"{name}: item {n}")


def reviews_from_google(claims: list[Any], name: str) -> Iterator[Item]:
    """Fact Check Tools: each claim with its text, claimant and date, and its reviews."""
    n = 0
    for claim in claims:
        for review in _as_list(claim.get("claimReview") if isinstance(claim, dict) else None):
            n += 1
            position = f"{name}: review {n}"
            if not isinstance(review, dict):
                yield Malformed(position, "not a review object")
                continue
            publisher = review.get("publisher") or {}
            yield _review(
                position,
                claim=claim.get("text"),
                claimant=claim.get("claimant"),
                claim_date=claim.get("claimDate"),
                url=review.get("url"),
                publisher=publisher.get("name") if isinstance(publisher, dict) else None,
                publisher_site=publisher.get("site") if isinstance(publisher, dict) else None,
                title=review.get("title"),
                rating=review.get("textualRating"),
                review_date=review.get("reviewDate"),
            )


def parse_review(node: Any, position: str) -> Item:
    """One schema.org ClaimReview object."""
    if not isinstance(node, dict):
        return Malformed(position, "not a ClaimReview object")
    if not _is_claim_review(node):
        return Malformed(position, f"not a ClaimReview (its @type is {node.get('@type')!r})")
    item = _object(node.get("itemReviewed"))
    rating = _object(node.get("reviewRating"))
    authors = _as_list(node.get("author"))
    author: dict[str, Any] = authors[0] if authors and isinstance(authors[0], dict) else {}
    return _review(
        position,
        claim=node.get("claimReviewed"),
        claimant=_name(item.get("author")),
        claim_date=item.get("datePublished"),
        url=node.get("url"),
        publisher=author.get("name"),
        publisher_site=author.get("url"),
        title=node.get("name") or node.get("headline"),
        rating=rating.get("alternateName") or rating.get("name"),
        review_date=node.get("datePublished"),
    )


def _review(position: str, **fields: Any) -> Item:
    claim = _text(fields["claim"])
    url = _text(fields["url"])
    if not claim:
        return Malformed(position, "no claimReviewed (the claim's text)")
    if not url:
        return Malformed(position, "no url (the review's address)")
    return Review(
        claim=claim,
        claimant=_text(fields["claimant"]),
        claim_date=_date(fields["claim_date"]),
        url=url,
        publisher=_text(fields["publisher"]),
        publisher_site=_text(fields["publisher_site"]),
        title=_text(fields["title"]),
        rating=_text(fields["rating"]),
        review_date=_date(fields["review_date"]),
        position=position,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_claim_review(node: Any) -> bool:
    kind = node.get("@type") if isinstance(node, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


def _name(value: Any) -> str:
    value = value[0] if isinstance(value, list) and value else value
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def _date(value: Any) -> str | None:
    text = _text(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" and text[7] == "-" else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _LdJson(HTMLParser):
    """The contents of every ``<script type="application/ld+json">`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = dict(attrs).get("type") or ""
        self._inside = tag == "script" and kind.strip().lower() == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def json_ld_blocks(page: str) -> list[str]:
    """The text of each ``<script type="application/ld+json">`` of an HTML page."""
    parser = _LdJson()
    parser.feed(page)
    return parser.blocks


def _from_html(page: str, name: str) -> Iterator[Item]:
    for n, block in enumerate(json_ld_blocks(page), 1):
        where = f"{name}: script {n}"
        try:
            document = json.loads(block)
        except ValueError as error:
            yield Malformed(where, f"not JSON: {error}")
            continue
        nodes = document.get("@graph") if isinstance(document, dict) else None
        for node in _as_list(nodes if isinstance(nodes, list) else document):
            if _is_claim_review(node):
                yield parse_review(node, where)
