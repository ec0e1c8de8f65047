"""The shared queries' statements, built once from the tables of schema.py. Parameters are
named (``bindparam``); each store compiles a statement the first time it runs it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.expression import ColumnElement, Insert, Select

from bot.core.models import Status
from bot.core.notifications.models import Cadence, EventKind, Scope
from bot.core.notifications.recipients import AUTHOR_HEARS_BY_DM, BY_URGENCY, scopes_hearing
from bot.store.sql.constructs import AnyOf
from bot.store.sql.schema import (
    claim_tags,
    claim_vectors,
    claims,
    deliveries,
    embedding_queue,
    events,
    history,
    sources,
    subscriptions,
    undeliverable_notices,
    workspace_moderators,
    workspace_settings,
    workspaces,
)

# ``insert`` is PostgreSQL's construct for its ON CONFLICT clauses; SQLite's compiler renders
# them too (SQLite has had the same upsert syntax since 3.24), so one statement serves both.

_LOW_BITS = 0xFFFFFFFF  # a packed id's number (bot/store/keys.py)


def constant(value: str) -> ColumnElement[str]:
    """A text written into the SQL rather than bound: a partial index (deliveries_due: WHERE
    state = 'pending') serves a query only if the query names its condition literally."""
    assert "'" not in value
    return literal_column(f"'{value}'", Text)


def _number(column: ColumnElement[int]) -> ColumnElement[int]:
    return column.op("&")(literal_column(str(_LOW_BITS), BigInteger))


# ----------------------------------------------------------------------------- workspaces
KEY_OF = select(workspaces.c.key).where(workspaces.c.external_id == bindparam("workspace"))
ADD_WORKSPACE = (
    insert(workspaces)
    .values(external_id=bindparam("workspace"), created_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["external_id"])
)
WORKSPACE_NAMES = select(workspaces.c.external_id).order_by(workspaces.c.key)
NEXT_NUMBER = (
    update(workspaces)
    .where(workspaces.c.key == bindparam("key"))
    .values(next_claim=workspaces.c.next_claim + 1)
    .returning(workspaces.c.next_claim - 1)
)
# FOR UPDATE on PostgreSQL (SQLite has one writer and ignores it): another process appending
# to the workspace's chain waits here, so the chain never forks.
CHAIN_HEAD = (
    select(workspaces.c.history_seq, workspaces.c.history_head)
    .where(workspaces.c.key == bindparam("key"))
    .with_for_update()
)
MOVE_CHAIN_HEAD = (
    update(workspaces)
    .where(workspaces.c.key == bindparam("key"))
    .values(history_seq=bindparam("seq"), history_head=bindparam("head"))
)
RECORDED_HEAD = select(workspaces.c.history_seq, workspaces.c.history_head).where(
    workspaces.c.external_id == bindparam("workspace")
)

MODERATORS = select(workspace_moderators.c.kind, workspace_moderators.c.ref).where(
    workspace_moderators.c.workspace_key == bindparam("key")
)
ADD_MODERATOR = (
    insert(workspace_moderators)
    .values(workspace_key=bindparam("key"), kind=bindparam("kind"), ref=bindparam("ref"))
    .on_conflict_do_nothing()
)
REMOVE_MODERATOR = delete(workspace_moderators).where(
    workspace_moderators.c.workspace_key == bindparam("key"),
    workspace_moderators.c.kind == bindparam("kind"),
    workspace_moderators.c.ref == bindparam("ref"),
)

SETTING = select(workspace_settings.c.value).where(
    workspace_settings.c.workspace_key == bindparam("key"),
    workspace_settings.c.name == bindparam("name"),
)
_NEW_SETTING = insert(workspace_settings).values(
    workspace_key=bindparam("key"), name=bindparam("name"), value=bindparam("value")
)
SET_SETTING = _NEW_SETTING.on_conflict_do_update(
    index_elements=["workspace_key", "name"], set_={"value": _NEW_SETTING.excluded.value}
)
REMOVE_SETTING = delete(workspace_settings).where(
    workspace_settings.c.workspace_key == bindparam("key"),
    workspace_settings.c.name == bindparam("name"),
)

# ---------------------------------------------------------------------------------- claims
CLAIM_COLUMNS = (
    claims.c.id,
    claims.c.workspace_key,
    claims.c.number,
    claims.c.text,
    claims.c.claimant,
    claims.c.claimed_on,
    claims.c.status,
    claims.c.version,
    claims.c.tags,
    claims.c.source_count,
    claims.c.created_by_id,
    claims.c.created_by_name,
    claims.c.created_at,
    claims.c.updated_at,
    claims.c.requests,
    claims.c.assignee_id,
    claims.c.assignee_name,
)  # the order rows.claim_from reads
CLAIM = select(*CLAIM_COLUMNS).where(claims.c.id == bindparam("id"))
CLAIM_FOR_UPDATE = CLAIM.with_for_update()
SEEDED = select(*CLAIM_COLUMNS).where(
    claims.c.workspace_key == bindparam("key"), claims.c.seed_key == bindparam("seed_key")
)


def new_claim_values() -> dict[str, object]:
    """A new claim's row, by column: bound by the names add_claim passes (a store that writes
    more columns adds its own)."""
    return {
        "id": bindparam("id"),
        "workspace_key": bindparam("key"),
        "number": bindparam("number"),
        "text": bindparam("text"),
        "claimant": bindparam("claimant"),
        "claimed_on": bindparam("claimed_on"),
        "status": Status.UNVERIFIED.value,
        "version": 1,
        "tags": bindparam("tags"),
        "source_count": 0,
        "created_by_id": bindparam("by_id"),
        "created_by_name": bindparam("by_name"),
        "created_at": bindparam("at"),
        "updated_at": bindparam("at"),
        "seed_key": bindparam("seed_key"),
    }


ADD_CLAIM = claims.insert().values(new_claim_values())
ADD_TAG = claim_tags.insert().values(tag=bindparam("tag"), claim_id=bindparam("claim_id"))
SOURCE_ADDED = (
    update(claims)
    .where(claims.c.id == bindparam("id"))
    .values(
        source_count=claims.c.source_count + 1,
        version=claims.c.version + 1,
        updated_at=bindparam("at"),
    )
)
SET_STATUS = (
    update(claims)
    .where(claims.c.id == bindparam("id"))
    .values(status=bindparam("status"), version=claims.c.version + 1, updated_at=bindparam("at"))
)
CLAIM_NUMBERS = (
    select(claims.c.id)
    .where(
        claims.c.id > bindparam("after", type_=BigInteger),
        claims.c.id <= bindparam("last", type_=BigInteger),
        AnyOf(claims.c.status, "statuses"),
    )
    .order_by(claims.c.id)
    .limit(bindparam("limit", type_=Integer))
)

# --------------------------------------------------------------------------------- sources
SOURCE_COLUMNS = (
    sources.c.id,
    sources.c.url,
    sources.c.title,
    sources.c.outlet,
    sources.c.stance,
    sources.c.note,
    sources.c.added_by_id,
    sources.c.added_by_name,
    sources.c.added_at,
)  # the order rows.source_from reads
SOURCES_OF = (
    select(*SOURCE_COLUMNS)
    .where(sources.c.claim_id == bindparam("claim_id"))
    .order_by(sources.c.id)
)
# A source's row as rows.source_row gives it: every column but its id, in the table's order.
SOURCE_ROW = tuple(c.name for c in sources.columns if c.name != "id")
ADD_SOURCE = (
    sources.insert().values({name: bindparam(name) for name in SOURCE_ROW}).returning(sources.c.id)
)
_IN_WORKSPACE = sources.c.claim_id.between(
    bindparam("first", type_=BigInteger), bindparam("last", type_=BigInteger)
)
URLS_PRESENT = select(sources.c.url).where(AnyOf(sources.c.url, "urls"), _IN_WORKSPACE)
CLAIM_WITH_SOURCE = select(func.min(sources.c.claim_id)).where(
    sources.c.url == bindparam("url"), _IN_WORKSPACE
)

# --------------------------------------------------------------------------------- history
HISTORY_COLUMNS = (
    _number(history.c.id),
    history.c.claim_id,
    history.c.kind,
    history.c.old_status,
    history.c.new_status,
    history.c.actor_id,
    history.c.actor_name,
    history.c.detail,
    history.c.at,
    history.c.prev_hash,
    history.c.hash,
    history.c.content,
)  # the order rows.history_from reads
HISTORY_OF = (
    select(*HISTORY_COLUMNS)
    .where(history.c.claim_id == bindparam("claim_id"))
    .order_by(history.c.id)
)
RECENT_HISTORY_OF = (
    select(*HISTORY_COLUMNS)
    .where(history.c.claim_id == bindparam("claim_id"))
    .order_by(history.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
HISTORY_PAGE = (
    select(*HISTORY_COLUMNS, history.c.id)
    .where(
        history.c.id > bindparam("after", type_=BigInteger),
        history.c.id <= bindparam("last", type_=BigInteger),
    )
    .order_by(history.c.id)
    .limit(bindparam("limit", type_=Integer))
)
# A history entry's row as rows.history_row gives it: every column, in the table's order.
HISTORY_ROW = tuple(c.name for c in history.columns)
ADD_HISTORY = history.insert().values({name: bindparam(name) for name in HISTORY_ROW})
LAST_CONTENT = (
    select(history.c.content)
    .where(history.c.claim_id == bindparam("claim_id"))
    .order_by(history.c.id.desc())
    .limit(1)
)
_last_status = (
    select(history.c.new_status)
    .where(history.c.claim_id == claims.c.id, history.c.new_status.is_not(None))
    .order_by(history.c.id.desc())
    .limit(1)
    .correlate(claims)
    .scalar_subquery()
)
_stated = (
    select(claims.c.number, claims.c.status, _last_status.label("expected"))
    .where(claims.c.workspace_key == bindparam("key"))
    .subquery()
)
# The last status-bearing entry of each claim must name the status the claim has now.
STATUS_MISMATCHES = (
    select(_stated.c.number, _stated.c.status, _stated.c.expected)
    .where(_stated.c.status.is_distinct_from(_stated.c.expected))
    .order_by(_stated.c.number)
    .limit(50)
)
_claim_of_entry = select(claims.c.id).where(claims.c.id == history.c.claim_id).correlate(history)
CLAIMS_MISSING = (
    select(_number(history.c.claim_id).label("number"))
    .distinct()
    .where(
        history.c.id.between(
            bindparam("first", type_=BigInteger), bindparam("last", type_=BigInteger)
        ),
        ~exists(_claim_of_entry),
    )
    .order_by(literal_column("number"))
    .limit(50)
)
_recorded = (
    select(history.c.content)
    .where(history.c.claim_id == claims.c.id)
    .order_by(history.c.id.desc())
    .limit(1)
    .correlate(claims)
    .scalar_subquery()
)
_has_history = exists(select(history.c.id).where(history.c.claim_id == claims.c.id)).correlate(
    claims
)
# A claim as the audit compares it (rows.stored_content reads these columns).
CONTENTS_PAGE = (
    select(
        claims.c.id,
        claims.c.number,
        claims.c.text,
        claims.c.claimant,
        claims.c.claimed_on,
        claims.c.tags,
        claims.c.created_by_id,
        _recorded,
        _has_history,
    )
    .where(
        claims.c.id > bindparam("after", type_=BigInteger),
        claims.c.id <= bindparam("last", type_=BigInteger),
    )
    .order_by(claims.c.id)
    .limit(bindparam("limit", type_=Integer))
)
CONTENT_SOURCES = (
    select(
        sources.c.claim_id,
        sources.c.url,
        sources.c.title,
        sources.c.outlet,
        sources.c.stance,
        sources.c.note,
    )
    .where(_IN_WORKSPACE)
    .order_by(sources.c.claim_id, sources.c.id)
)

# --------------------------------------------------------------------------- subscriptions
SUBSCRIPTION_COLUMNS = (
    subscriptions.c.id,
    subscriptions.c.user_id,
    subscriptions.c.scope,
    subscriptions.c.target,
    subscriptions.c.delivery,
    subscriptions.c.channel_id,
    subscriptions.c.cadence,
    subscriptions.c.created_at,
)  # the order outbox_rows.subscription_from reads
_NEW_SUBSCRIPTION = insert(subscriptions).values(
    workspace_key=bindparam("key"),
    user_id=bindparam("user_id"),
    scope=bindparam("scope"),
    target=bindparam("target"),
    delivery=bindparam("delivery"),
    channel_id=bindparam("channel_id"),
    cadence=bindparam("cadence"),
    created_at=bindparam("at"),
)
# Same target and place again: the cadence is updated instead of adding a twin.
ADD_SUBSCRIPTION = _NEW_SUBSCRIPTION.on_conflict_do_update(
    index_elements=["workspace_key", "user_id", "scope", "target", "delivery", "channel_id"],
    set_={"cadence": _NEW_SUBSCRIPTION.excluded.cadence},
    where=subscriptions.c.cadence != _NEW_SUBSCRIPTION.excluded.cadence,
)
_ONE_SUBSCRIPTION = and_(
    subscriptions.c.workspace_key == bindparam("key"),
    subscriptions.c.user_id == bindparam("user_id"),
    subscriptions.c.scope == bindparam("scope"),
    subscriptions.c.target == bindparam("target"),
)
SUBSCRIPTION = select(*SUBSCRIPTION_COLUMNS).where(
    _ONE_SUBSCRIPTION,
    subscriptions.c.delivery == bindparam("delivery"),
    subscriptions.c.channel_id == bindparam("channel_id"),
)
REMOVE_SUBSCRIPTIONS = delete(subscriptions).where(_ONE_SUBSCRIPTION)
SUBSCRIPTIONS_OF = (
    select(*SUBSCRIPTION_COLUMNS)
    .where(
        subscriptions.c.workspace_key == bindparam("key"),
        subscriptions.c.user_id == bindparam("user_id"),
    )
    .order_by(subscriptions.c.scope, subscriptions.c.target)
)
ANYONE_SUBSCRIBED = (
    select(subscriptions.c.id).where(subscriptions.c.workspace_key == bindparam("key")).limit(1)
)

# ---------------------------------------------------------------------------------- outbox
ADD_EVENT = (
    events.insert()
    .values(
        workspace_key=bindparam("key"),
        claim_id=bindparam("claim_id"),
        kind=bindparam("kind"),
        payload=bindparam("payload"),
        created_at=bindparam("at"),
    )
    .returning(events.c.id)
)


def _heard(kind: EventKind) -> ColumnElement[bool] | None:
    """The core's rule of who hears of an event of ``kind`` (notifications/recipients.py), as
    a condition on the subscriptions; None if nobody does."""
    s = subscriptions.c
    heard_by: list[ColumnElement[bool]] = []
    for scope in scopes_hearing(kind):
        if scope is Scope.ALL:
            heard_by.append(s.scope == Scope.ALL.value)
        elif scope is Scope.CLAIM:
            heard_by.append(and_(s.scope == Scope.CLAIM.value, s.target == bindparam("number")))
        else:
            tags_of_claim = select(claim_tags.c.tag).where(
                claim_tags.c.claim_id == bindparam("claim_id", type_=BigInteger)
            )
            heard_by.append(and_(s.scope == Scope.TAG.value, s.target.in_(tags_of_claim)))
    if not heard_by:
        return None
    rule = or_(*heard_by)
    if not AUTHOR_HEARS_BY_DM:
        rule = and_(rule, ~and_(s.delivery == "dm", s.user_id == bindparam("actor_id")))
    return rule


_FIRST_ATTEMPT = {
    Cadence.INSTANT: "instant_at",
    Cadence.HOURLY: "hourly_at",
    Cadence.DAILY: "daily_at",
}  # the parameter naming when a delivery of each cadence is first due


# What a new delivery is written with (the rest of its columns have their defaults).
_NEW_DELIVERY = [
    "event_id",
    "workspace_key",
    "platform",
    "recipient_kind",
    "recipient",
    "cadence",
    "next_attempt_at",
]


def _fan_out(kind: EventKind) -> Insert | None:
    """One delivery per recipient of an event of ``kind``, in one INSERT … SELECT. Of one
    recipient's several subscriptions, the most urgent one's cadence is kept: grouped by
    recipient, the least urgency rank wins (an aggregate both dialects compute alike, and as
    fast as the insert-or-ignore it replaced; a row_number() window took twice as long)."""
    heard = _heard(kind)
    if heard is None:
        return None
    s = subscriptions.c
    recipient = case((s.delivery == constant("dm"), s.user_id), else_=s.channel_id)
    urgency = func.min(case({c.value: rank for rank, c in enumerate(BY_URGENCY)}, value=s.cadence))
    cadence = case({rank: c.value for rank, c in enumerate(BY_URGENCY)}, value=urgency)
    first_attempt = case(
        {rank: bindparam(_FIRST_ATTEMPT[c], type_=Text) for rank, c in enumerate(BY_URGENCY)},
        value=urgency,
    )
    per_recipient = (
        select(
            bindparam("event_id", type_=BigInteger),
            s.workspace_key,
            bindparam("platform", type_=Text),
            s.delivery,
            recipient,
            cadence,
            first_attempt,
        )
        .where(s.workspace_key == bindparam("key"), heard)
        .group_by(s.workspace_key, s.delivery, recipient)
    )
    return deliveries.insert().from_select(_NEW_DELIVERY, per_recipient)


FAN_OUT = {kind: _fan_out(kind) for kind in EventKind}

# A delivery the change itself addresses (an assignee, the notice channel), unless the fan-out
# already made one to that address.
_ALREADY_ADDRESSED = (
    select(deliveries.c.id)
    .where(
        deliveries.c.event_id == bindparam("event_id", type_=BigInteger),
        deliveries.c.recipient_kind == bindparam("recipient_kind", type_=Text),
        deliveries.c.recipient == bindparam("recipient", type_=Text),
    )
    .exists()
)
ADD_DIRECT_DELIVERY = deliveries.insert().from_select(
    _NEW_DELIVERY,
    select(
        bindparam("event_id", type_=BigInteger),
        bindparam("key", type_=Integer),
        bindparam("platform", type_=Text),
        bindparam("recipient_kind", type_=Text),
        bindparam("recipient", type_=Text),
        constant(Cadence.INSTANT.value),
        bindparam("at", type_=Text),
    ).where(~_ALREADY_ADDRESSED),
)

_due = and_(
    deliveries.c.state == constant("pending"),
    AnyOf(deliveries.c.platform, "platforms"),
    deliveries.c.next_attempt_at <= bindparam("now", type_=Text),
)


def _due_deliveries(*extra: ColumnElement[bool]) -> Select[tuple[object, ...]]:
    # SKIP LOCKED on PostgreSQL: two processes never take the same delivery (SQLite has one
    # writer and ignores it).
    return (
        select(
            deliveries.c.id,
            workspaces.c.external_id,
            deliveries.c.recipient_kind,
            deliveries.c.recipient,
            deliveries.c.cadence,
            deliveries.c.attempts,
            events.c.id,
            events.c.payload,
        )
        .select_from(
            deliveries.join(events, events.c.id == deliveries.c.event_id).join(
                workspaces, workspaces.c.key == deliveries.c.workspace_key
            )
        )
        .where(_due, *extra)
        .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(of=deliveries, skip_locked=True)
    )  # the order outbox_rows.due_delivery_from reads


_for_recipient = deliveries.c.recipient == bindparam("recipient", type_=Text)
_in_workspace = workspaces.c.external_id == bindparam("workspace", type_=Text)
DUE = {
    (False, False): _due_deliveries(),
    (True, False): _due_deliveries(_for_recipient),
    (False, True): _due_deliveries(_in_workspace),
    (True, True): _due_deliveries(_for_recipient, _in_workspace),
}  # by (one recipient's, one workspace's)
_pending = and_(AnyOf(deliveries.c.id, "ids"), deliveries.c.state == constant("pending"))
LEASE = (
    update(deliveries)
    .where(AnyOf(deliveries.c.id, "ids"))
    .values(next_attempt_at=bindparam("until"))
)
DELIVERED = (
    update(deliveries)
    .where(_pending)
    .values(state="delivered", attempts=deliveries.c.attempts + 1, finished_at=bindparam("at"))
)
RESCHEDULED = (
    update(deliveries)
    .where(_pending)
    .values(
        attempts=deliveries.c.attempts + 1,
        next_attempt_at=bindparam("next_attempt"),
        last_error=bindparam("error"),
    )
)
FAILED = (
    update(deliveries)
    .where(_pending)
    .values(
        state="failed",
        attempts=deliveries.c.attempts + 1,
        finished_at=bindparam("at"),
        last_error=bindparam("error"),
    )
)
FIRST_UNDELIVERABLE = (
    insert(undeliverable_notices)
    .values(
        workspace_key=bindparam("key"), user_id=bindparam("user_id"), noticed_at=bindparam("at")
    )
    .on_conflict_do_nothing()
)
NEXT_DUE = select(func.min(deliveries.c.next_attempt_at)).where(
    deliveries.c.state == constant("pending"), AnyOf(deliveries.c.platform, "platforms")
)
DELIVERY_COUNTS = select(deliveries.c.state, func.count()).group_by(deliveries.c.state)

# -------------------------------------------------------------------------------- matching
SUMMARY_COLUMNS = (
    claims.c.number,
    claims.c.text,
    claims.c.claimant,
    claims.c.status,
    claims.c.source_count,
    claims.c.tags,
    claims.c.created_at,
)  # the order rows.summary reads
SUMMARIES = select(*SUMMARY_COLUMNS).where(AnyOf(claims.c.id, "ids"))
VECTORS = select(claim_vectors.c.claim_id, claim_vectors.c.vector).where(
    AnyOf(claim_vectors.c.claim_id, "ids")
)
# Each filter is answered from an index alone (claims_by_status, claim_tags' key): a thousand
# candidates' claim rows are not read.
_of_status = exists(
    select(claims.c.id).where(
        claims.c.workspace_key == bindparam("key"),
        claims.c.status == bindparam("status"),
        claims.c.id == claim_vectors.c.claim_id,
    )
)
_of_tag = exists(
    select(claim_tags.c.claim_id).where(
        claim_tags.c.tag == bindparam("tag"), claim_tags.c.claim_id == claim_vectors.c.claim_id
    )
)
VECTORS_OF = {
    (False, False): VECTORS,
    (True, False): VECTORS.where(_of_status),
    (False, True): VECTORS.where(_of_tag),
    (True, True): VECTORS.where(_of_status, _of_tag),
}  # by (of one status, of one tag)
_NEW_VECTOR = insert(claim_vectors).values(
    claim_id=bindparam("claim_id"), code=bindparam("code"), vector=bindparam("vector")
)
# A claim re-embedded replaces its vector (on PostgreSQL a trigger marks the rewrite with its
# transaction, as the column's default marks a new one: postgres/migrations/0003).
SAVE_VECTOR = _NEW_VECTOR.on_conflict_do_update(
    index_elements=[claim_vectors.c.claim_id],
    set_={"code": _NEW_VECTOR.excluded.code, "vector": _NEW_VECTOR.excluded.vector},
)
# Done, unless the claim changed (and was asked for again) while it was being embedded.
EMBEDDED = delete(embedding_queue).where(
    embedding_queue.c.claim_id == bindparam("claim_id"),
    embedding_queue.c.requested == bindparam("requested"),
)
EMBEDDING_COUNTS = select(
    select(func.count()).select_from(claim_vectors).scalar_subquery(),
    select(func.count()).select_from(embedding_queue).scalar_subquery(),
)
