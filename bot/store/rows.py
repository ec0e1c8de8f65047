"""Rows both stores read the same way: a claim's summary (what a search result or a listing
shows) and a page of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.core.models import ClaimSummary, SearchPage, Status
from bot.core.ports import ListQuery


class RowLike(Protocol):
    """A row as either driver gives it: read by position."""

    def __getitem__(self, index: int, /) -> Any: ...


# Claims are counted up to this many (and one more, to say "1000+").
COUNT_CAP = 1000

SUMMARY_COLUMNS = "c.number, c.text, c.claimant, c.status, c.source_count, c.tags, c.created_at"


def tag_list(value: str) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


def summary(row: RowLike) -> ClaimSummary:
    return ClaimSummary(
        id=row[0],
        text=row[1],
        claimant=row[2],
        status=Status(row[3]),
        source_count=row[4],
        tags=tag_list(row[5]),
        created_at=datetime.fromisoformat(row[6]),
    )


def page_of(query: ListQuery, items: Sequence[RowLike], counted: int) -> SearchPage:
    """The page of ``items`` asked for; ``counted`` is the claims counted, up to the cap and one
    more, so that one past the cap says "more than"."""
    capped = counted > COUNT_CAP
    return SearchPage(
        items=tuple(summary(r) for r in items),
        page=query.page,
        page_size=query.page_size,
        total=min(counted, COUNT_CAP),
        total_is_capped=capped,
    )
