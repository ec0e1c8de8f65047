"""What only PostgreSQL does when a claim changes (the queries themselves are
bot/store/sql/claims.py): its words are a tsvector in its own row (words.py), and queueing it
for embedding clears any lease on it."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, bindparam, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from bot.core.models import Claim
from bot.core.ports import NewClaim, NewSource
from bot.store.bulk_rows import sources_text
from bot.store.keys import pack
from bot.store.postgres.base import PgBase
from bot.store.postgres.words import SOURCES_TEXT_OF, document
from bot.store.sql import claims, schema, statements
from bot.store.sql.db import Db

# Queue a claim for (re-)embedding; one being embedded right now is asked for again.
_QUEUE_EMBEDDING = text(
    "INSERT INTO embedding_queue(claim_id) VALUES (:claim_id) ON CONFLICT (claim_id) DO UPDATE"
    " SET requested = embedding_queue.requested + 1, leased_until = '-infinity'"
)

# The claims table with PostgreSQL's own column: a new claim's words go in with its row.
_claims_with_words = schema.claims.to_metadata(MetaData())
_claims_with_words.append_column(Column("words", TSVECTOR, nullable=False))
_ADD_CLAIM = _claims_with_words.insert().values(
    statements.new_claim_values() | {"words": bindparam("words", type_=TSVECTOR)}
)
_SOURCES_SAY = text("SELECT " + SOURCES_TEXT_OF.format(claim=":claim_id"))
_SET_WORDS = (
    _claims_with_words.update()
    .where(_claims_with_words.c.id == bindparam("claim_id"))
    .values(words=bindparam("words", type_=TSVECTOR))
)


class ClaimQueries(claims.ClaimQueries, PgBase):
    async def _insert_claim(
        self, db: Db, key: int, packed: int, claim: NewClaim, values: dict[str, object]
    ) -> None:
        words = document(key, claim.text, claim.claimant, " ".join(claim.tags), "")
        await db.run(_ADD_CLAIM, **values, words=words)

    async def _index_source(self, db: Db, key: int, claim: Claim, source: NewSource) -> None:
        packed = pack(key, claim.id)
        before = str(await db.value(_SOURCES_SAY, claim_id=packed))
        said = sources_text(before, source.title, source.note)
        words = document(key, claim.text, claim.claimant, " ".join(claim.tags), said)
        await db.run(_SET_WORDS, claim_id=packed, words=words)

    async def _queue_embedding(self, db: Db, packed: int) -> None:
        await db.run(_QUEUE_EMBEDDING, claim_id=packed)
