"""The desk's queue, kept once for both stores: requests on claims, the queue most wanted first,
who is on each claim, and the "going round again" alert.

A request is written in the transaction of what made it (a check, a member's "yes, this one",
a message sent to the desk), with the claim's count and demand (bot/core/desk.py) beside it:
the claim's row is locked first, so requests for one claim are counted one after another and
the alert of a claim going round again is sent once, however many members ask at the same
moment, on either store.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.sql.expression import ColumnElement, FromClause, Select

from bot.core.desk import (
    QueueItem,
    QueuePage,
    QueueQuery,
    QueueView,
    RepeatRule,
    Request,
    demand_of,
    demand_term,
    going_round_detail,
    with_request,
)
from bot.core.errors import Conflict, NotFound
from bot.core.models import Claim, HistoryEntry, Person, Status
from bot.core.notifications.models import NOTICE_CHANNEL, Channel, EventKind
from bot.core.ports import NewRequest
from bot.store import changes
from bot.store.keys import pack, workspace_range
from bot.store.outbox_rows import EventFacts
from bot.store.rows import COUNT_CAP, RowLike, summary, tag_list
from bot.store.sql import statements as q
from bot.store.sql.db import Db
from bot.store.sql.history import HistoryQueries
from bot.store.sql.outbox import enqueue
from bot.store.sql.schema import claim_tags, claims, requests

# Who asks about Claimdesk's own alerts: nobody's DM is skipped as its author's.
DESK = Person(user_id="claimdesk", name="Claimdesk")

_ID = bindparam("id", type_=claims.c.id.type)
DEMAND_OF = (
    select(claims.c.status, claims.c.demand, claims.c.alerted_at, claims.c.text, claims.c.tags)
    .where(claims.c.id == _ID)
    .with_for_update()
)
ADD_REQUEST = requests.insert().values(
    {c.name: bindparam(c.name) for c in requests.columns if c.name != "id"}
)
COUNTED = (
    update(claims)
    .where(claims.c.id == _ID)
    .values(requests=bindparam("requests_now"), demand=bindparam("demand"))
)
ONE_MORE = (
    update(claims)
    .where(claims.c.id == _ID)
    .values(requests=claims.c.requests + 1, demand=bindparam("demand"))
)
ASKED_SINCE = select(func.count()).where(
    requests.c.claim_id == bindparam("claim_id"), requests.c.asked_at >= bindparam("since")
)
ALERTED = (
    update(claims)
    .where(
        claims.c.id == _ID,
        (claims.c.alerted_at.is_(None)) | (claims.c.alerted_at <= bindparam("quiet_since")),
    )
    .values(alerted_at=bindparam("at"))
)
REQUEST_OF_CHECK = select(requests.c.id).where(
    requests.c.check_id == bindparam("check_id"), requests.c.claim_id == bindparam("claim_id")
)
DROP_REQUEST = requests.delete().where(
    requests.c.check_id == bindparam("check_id"), requests.c.claim_id == bindparam("claim_id")
)
TIMES_OF = select(requests.c.asked_at).where(requests.c.claim_id == bindparam("claim_id"))
REQUESTS_OF = (
    select(
        requests.c.asked_by_id,
        requests.c.asked_by_name,
        requests.c.channel_id,
        requests.c.link,
        requests.c.asked_at,
        requests.c.check_id,
    )
    .where(requests.c.claim_id == bindparam("claim_id"))
    .order_by(requests.c.asked_at.desc(), requests.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
SET_ASSIGNEE = (
    update(claims)
    .where(claims.c.id == _ID)
    .values(
        assignee_id=bindparam("assignee_id"),
        assignee_name=bindparam("assignee_name"),
        assigned_at=bindparam("at"),
    )
)

_LAST_ASKED = (
    select(func.max(requests.c.asked_at))
    .where(requests.c.claim_id == claims.c.id)
    .scalar_subquery()
)
_QUEUE_COLUMNS = (
    *q.SUMMARY_COLUMNS,
    claims.c.requests,
    claims.c.assignee_id,
    claims.c.assignee_name,
    _LAST_ASKED,
)


class Tagged(Enum):
    NO = "no"
    FEW = "few"  # at most FEW_TAGGED claims hold the tag
    MANY = "many"


# A tag held by at most this many of a workspace's claims is queued from its own index (its
# claims, sorted); a commoner one by walking the queue's index and keeping the tagged claims,
# which finds a page after about (claims / tagged) × page rows. Either way a page costs at most
# a few thousand rows, where one plan for every tag costs a million for a rare one.
FEW_TAGGED = 2000


def _in_queue(view: QueueView, tag: Tagged) -> list[ColumnElement[bool]]:
    if tag is Tagged.FEW:
        # Driven by claim_tags: the claim's own columns are compared, not looked up in an index
        # (``|| ''`` keeps SQLite's planner from walking the queue's index instead).
        where: list[ColumnElement[bool]] = [
            claim_tags.c.tag == bindparam("tag"),
            claim_tags.c.claim_id.between(bindparam("first"), bindparam("last")),
            claims.c.status.concat("") == bindparam("status"),
        ]
    else:
        where = [
            claims.c.workspace_key == bindparam("key"),
            claims.c.status == bindparam("status"),
        ]
    if view is QueueView.MINE:
        where.append(claims.c.assignee_id == bindparam("viewer"))
    elif view is QueueView.UNASSIGNED:
        where.append(claims.c.assignee_id.is_(None))
    if tag is Tagged.MANY:
        where.append(
            select(claim_tags.c.claim_id)
            .where(claim_tags.c.tag == bindparam("tag"), claim_tags.c.claim_id == claims.c.id)
            .exists()
        )
    return where


def _queue(view: QueueView, tag: Tagged) -> tuple[Select[Any], Select[Any]]:
    """The page (most wanted first: demand, then the oldest claim) and the count, capped. A
    tag's claims are always counted from the tag's own index: counting by walking the queue's
    would read (claims / tagged) rows for each one counted."""
    page = (
        select(*_QUEUE_COLUMNS)
        .select_from(_source(tag))
        .where(and_(*_in_queue(view, tag)))
        .order_by(claims.c.demand.desc(), claims.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    counted = Tagged.NO if tag is Tagged.NO else Tagged.FEW
    capped = (
        select(claims.c.id)
        .select_from(_source(counted))
        .where(and_(*_in_queue(view, counted)))
        .limit(COUNT_CAP + 1)
        .subquery()
    )
    return page, select(func.count()).select_from(capped)


def _source(tag: Tagged) -> FromClause:
    if tag is Tagged.FEW:
        return claim_tags.join(claims, claims.c.id == claim_tags.c.claim_id)
    return claims


QUEUE = {(view, tag): _queue(view, tag) for view in QueueView for tag in Tagged}
TAGGED = select(func.count()).select_from(
    select(claim_tags.c.claim_id)
    .where(
        claim_tags.c.tag == bindparam("tag"),
        claim_tags.c.claim_id.between(bindparam("first"), bindparam("last")),
    )
    .limit(FEW_TAGGED + 1)
    .subquery()
)


def _queue_item(row: RowLike) -> QueueItem:
    """A row of ``_QUEUE_COLUMNS``: the first seven are a summary's."""
    return QueueItem(
        claim=summary(row),
        requests=int(row[7]),
        assignee=Person(user_id=str(row[8]), name=str(row[9])) if row[8] is not None else None,
        last_asked_at=datetime.fromisoformat(str(row[10])) if row[10] else None,
    )


async def add_request(
    db: Db,
    *,
    key: int,
    workspace: str,
    claim_id: int,
    request: NewRequest,
    repeat: RepeatRule | None,
) -> bool:
    """Record ``request`` on claim ``claim_id`` inside the caller's transaction, with its
    count and demand, and say once (``repeat``) that a checked claim is going round again;
    returns whether it was said now."""
    packed = pack(key, claim_id)
    row = await db.row(DEMAND_OF, id=packed)
    if row is None:
        raise NotFound(f"claim {claim_id}")
    status, demand, alerted = Status(row[0]), float(row[1]), row[2]
    await db.run(
        ADD_REQUEST,
        claim_id=packed,
        check_id=request.check_id,
        asked_by_id=request.asked_by.user_id,
        asked_by_name=request.asked_by.name,
        channel_id=request.channel_id,
        link=request.link,
        asked_at=request.at.isoformat(),
    )
    await db.run(ONE_MORE, id=packed, demand=with_request(demand, demand_term(request.at)))
    if repeat is None or not repeat.applies_to(status):
        return False
    now = request.at
    if not repeat.may_alert(datetime.fromisoformat(alerted) if alerted else None, now):
        return False
    recent = int(
        await db.value(ASKED_SINCE, claim_id=packed, since=(now - repeat.window).isoformat())
    )
    if recent < repeat.threshold:
        return False
    quiet_since = (now - repeat.quiet).isoformat()
    if not await db.run(ALERTED, id=packed, at=now.isoformat(), quiet_since=quiet_since):
        return False
    notice = await db.value(q.SETTING, key=key, name=NOTICE_CHANNEL)
    facts = EventFacts(
        EventKind.GOING_ROUND,
        claim_id,
        str(row[3]),
        status,
        DESK,
        now,
        tag_list(str(row[4])),
        reason=going_round_detail(recent, repeat),
    )
    direct = ((Channel.CHANNEL, str(notice)),) if notice else ()
    await enqueue(db, workspace_key=key, workspace=workspace, facts=facts, direct=direct)
    return True


async def drop_request(db: Db, *, key: int, claim_id: int, check_id: int) -> None:
    """Take back the request a check made on a claim (a member said it is not this claim):
    the claim's count and demand are worked out again from the requests left."""
    packed = pack(key, claim_id)
    if not await db.run(DROP_REQUEST, check_id=check_id, claim_id=packed):
        return
    await db.row(DEMAND_OF, id=packed)  # lock the row before counting
    times = [datetime.fromisoformat(str(r[0])) for r in await db.rows(TIMES_OF, claim_id=packed)]
    await db.run(COUNTED, id=packed, requests_now=len(times), demand=demand_of(times))


async def has_request(db: Db, *, key: int, claim_id: int, check_id: int) -> bool:
    found = await db.value(REQUEST_OF_CHECK, check_id=check_id, claim_id=pack(key, claim_id))
    return found is not None


class DeskQueries(HistoryQueries):
    async def queue(self, workspace: str, query: QueueQuery) -> QueuePage:
        key = await self._key(workspace)
        if key is None:
            return QueuePage(items=(), query=query, total=0, total_is_capped=False)
        params: dict[str, object] = {"key": key, "status": query.status.value}
        tagged = Tagged.NO
        if query.tag is not None:
            first, last = workspace_range(key)
            params.update(tag=query.tag, first=first, last=last)
            held = int(await self._reads.value(TAGGED, tag=query.tag, first=first, last=last))
            tagged = Tagged.FEW if held <= FEW_TAGGED else Tagged.MANY
        page, count = QUEUE[(query.view, tagged)]
        if query.view is QueueView.MINE:
            params["viewer"] = query.viewer_id
        rows = await self._reads.rows(
            page,
            **params,
            limit=query.page_size,
            offset=(query.page - 1) * query.page_size,
        )
        counted = int(await self._reads.value(count, **params))
        return QueuePage(
            items=tuple(_queue_item(r) for r in rows),
            query=query,
            total=min(counted, COUNT_CAP),
            total_is_capped=counted > COUNT_CAP,
        )

    async def requests_of(
        self, workspace: str, claim_id: int, *, page: int, page_size: int
    ) -> list[Request]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._reads.rows(
            REQUESTS_OF,
            claim_id=pack(key, claim_id),
            limit=page_size,
            offset=(page - 1) * page_size,
        )
        return [
            Request(
                asked_by=Person(user_id=str(r[0]), name=str(r[1])),
                channel_id=str(r[2]),
                link=r[3],
                at=datetime.fromisoformat(str(r[4])),
                check_id=int(r[5]) if r[5] is not None else None,
            )
            for r in rows
        ]

    async def requests_since(self, workspace: str, claim_id: int, since: datetime) -> int:
        key = await self._key(workspace)
        if key is None:
            return 0
        found = await self._reads.value(
            ASKED_SINCE, claim_id=pack(key, claim_id), since=since.isoformat()
        )
        return int(found)

    async def set_assignee(
        self,
        workspace: str,
        claim_id: int,
        assignee: Person | None,
        *,
        expected: str | None,
        actor: Person,
        at: datetime,
    ) -> tuple[Claim, HistoryEntry]:
        """Put ``assignee`` on the claim (None: nobody), if the one on it is still ``expected``
        (a user id, or None) — else Conflict: someone else took it meanwhile."""
        async with self._write() as db:
            claim = await self._fetch_claim(db, workspace, claim_id, for_update=True)
            if claim is None:
                raise NotFound(f"claim {claim_id}")
            current = claim.assignee.user_id if claim.assignee else None
            if current != expected:
                raise Conflict(claim.assignee.name if claim.assignee else "nobody")
            key = self._keys[workspace]
            packed = pack(key, claim_id)
            await db.run(
                SET_ASSIGNEE,
                id=packed,
                assignee_id=assignee.user_id if assignee else None,
                assignee_name=assignee.name if assignee else None,
                at=at.isoformat() if assignee else None,
            )
            content = await self._content_recorded(db, packed)
            entry = await self._record(
                db, key, workspace, changes.assignment(claim, assignee, content, actor, at)
            )
        return claim.model_copy(update={"assignee": assignee}), entry
