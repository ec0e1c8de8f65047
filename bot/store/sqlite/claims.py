"""What only SQLite does when a claim changes (the queries themselves are bot/store/sql/claims.py):
its words go into the FTS5 index, and it is queued for embedding."""

from __future__ import annotations

from bot.core.models import Claim
from bot.core.ports import NewClaim, NewSource
from bot.store.keys import pack
from bot.store.sql import claims, statements
from bot.store.sql.db import Db
from bot.store.sqlite import search_index
from bot.store.sqlite.base import StoreBase
from bot.store.sqlite.db import SqliteDb

# Queue a claim for (re-)embedding; one being embedded right now is asked for again.
_QUEUE_EMBEDDING = (
    "INSERT INTO embedding_queue(claim_id) VALUES (?)"
    " ON CONFLICT(claim_id) DO UPDATE SET requested = requested + 1"
)


def _conn(db: Db) -> SqliteDb:
    assert isinstance(db, SqliteDb), "the SQLite store's hooks run on its own connection"
    return db


class ClaimQueries(claims.ClaimQueries, StoreBase):
    async def _insert_claim(
        self, db: Db, key: int, packed: int, claim: NewClaim, values: dict[str, object]
    ) -> None:
        await db.run(statements.ADD_CLAIM, **values)
        row = search_index.fts_row(packed, claim.text, claim.claimant, " ".join(claim.tags))
        await search_index.insert(_conn(db).conn, [row])

    async def _index_source(self, db: Db, key: int, claim: Claim, source: NewSource) -> None:
        conn = _conn(db).conn
        packed = pack(key, claim.id)
        async with conn.execute(search_index.SOURCES_TEXT_OF, (packed,)) as titles:
            row = await titles.fetchone()
        before = str(row[0]) if row else ""
        after = search_index.sources_text(before, source.title, source.note)
        tags = " ".join(claim.tags)
        await search_index.replace(
            conn,
            search_index.fts_row(packed, claim.text, claim.claimant, tags, before),
            search_index.fts_row(packed, claim.text, claim.claimant, tags, after),
        )

    async def _queue_embedding(self, db: Db, packed: int) -> None:
        await _conn(db).conn.execute(_QUEUE_EMBEDDING, (packed,))
