"""The tables both stores share, defined once: what the queries of bot/store/sql/ are written
against, compiled to SQLite's or PostgreSQL's SQL by each store (see compiler.py).

The tables themselves are created by each store's numbered migrations, since parts of the
schema are a dialect's own (FTS5 and its triggers, tsvector and GIN, identity columns). These
definitions must name the columns the migrations create, all but the few a dialect keeps for
itself (PostgreSQL's words, written_by and leased_until, used only by its own queries):
tests/store/test_schema.py compares them with both migrated stores, so the one definition cannot
drift from either.

Ids that are packed (bot/store/keys.py: workspace key · 2^32 + number) are BigInteger: on
PostgreSQL a parameter is cast to its column's type, and 2^32 does not fit an INTEGER.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, LargeBinary, MetaData, Table, Text

metadata = MetaData()

workspaces = Table(
    "workspaces",
    metadata,
    Column("key", Integer, primary_key=True),
    Column("external_id", Text, nullable=False, unique=True),
    Column("next_claim", Integer, nullable=False),
    Column("history_seq", BigInteger, nullable=False),
    Column("history_head", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

workspace_moderators = Table(
    "workspace_moderators",
    metadata,
    Column("workspace_key", Integer, primary_key=True),
    Column("kind", Text, primary_key=True),
    Column("ref", Text, primary_key=True),
)

workspace_settings = Table(
    "workspace_settings",
    metadata,
    Column("workspace_key", Integer, primary_key=True),
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

claims = Table(
    "claims",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_key", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("claimant", Text, nullable=False),
    Column("claimed_on", Text),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("tags", Text, nullable=False),
    Column("source_count", Integer, nullable=False),
    Column("created_by_id", Text, nullable=False),
    Column("created_by_name", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("seed_key", Text),
    # The desk's queue (issue 27): requests counted, their weighted demand (bot/core/desk.py),
    # who is on the claim, and when it was last said to be going round again.
    Column("requests", Integer, nullable=False),
    Column("demand", Float, nullable=False),
    Column("assignee_id", Text),
    Column("assignee_name", Text),
    Column("assigned_at", Text),
    Column("alerted_at", Text),
)

claim_tags = Table(
    "claim_tags",
    metadata,
    Column("tag", Text, primary_key=True),
    Column("claim_id", BigInteger, primary_key=True),
)

sources = Table(
    "sources",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("claim_id", BigInteger, nullable=False),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("outlet", Text, nullable=False),
    Column("stance", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("added_by_id", Text, nullable=False),
    Column("added_by_name", Text, nullable=False),
    Column("added_at", Text, nullable=False),
)

history = Table(
    "history",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("claim_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("old_status", Text),
    Column("new_status", Text),
    Column("actor_id", Text, nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("content", Text),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_key", Integer, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("delivery", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("cadence", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_key", Integer, nullable=False),
    Column("claim_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("event_id", BigInteger, nullable=False),
    Column("workspace_key", Integer, nullable=False),
    Column("platform", Text, nullable=False),
    Column("recipient_kind", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("cadence", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Text, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("finished_at", Text),
)

undeliverable_notices = Table(
    "undeliverable_notices",
    metadata,
    Column("workspace_key", Integer, primary_key=True),
    Column("user_id", Text, primary_key=True),
    Column("noticed_at", Text, nullable=False),
)

claim_vectors = Table(
    "claim_vectors",
    metadata,
    Column("claim_id", BigInteger, primary_key=True),
    Column("code", LargeBinary, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

# PostgreSQL's queue also has a lease (leased_until): one process of several embeds a claim.
embedding_queue = Table(
    "embedding_queue",
    metadata,
    Column("claim_id", BigInteger, primary_key=True),
    Column("requested", Integer, nullable=False),
)

checks = Table(
    "checks",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("workspace_key", Integer, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("link", Text),
    Column("asked_by_id", Text, nullable=False),
    Column("asked_by_name", Text, nullable=False),
    Column("asked_at", Text, nullable=False),
    Column("shown", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
)

requests = Table(
    "requests",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("claim_id", BigInteger, nullable=False),
    Column("check_id", BigInteger),
    Column("asked_by_id", Text, nullable=False),
    Column("asked_by_name", Text, nullable=False),
    Column("channel_id", Text, nullable=False),
    Column("link", Text),
    Column("asked_at", Text, nullable=False),
)

match_verdicts = Table(
    "match_verdicts",
    metadata,
    Column("check_id", BigInteger, primary_key=True),
    Column("claim_id", BigInteger, primary_key=True),
    Column("verdict", Text, nullable=False),
    Column("by_id", Text, nullable=False),
    Column("by_name", Text, nullable=False),
    Column("at", Text, nullable=False),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
