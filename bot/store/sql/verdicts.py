"""Checks as they were answered, and the members' verdicts on their matches: kept once for both
stores. A verdict and its history entry are written in one transaction, so the history never
says what the verdicts table does not, nor the other way round."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, select

from bot.core.desk import RepeatRule
from bot.core.errors import NotFound
from bot.core.models import HistoryEntry, MatchTier, Person, Verdict
from bot.core.ports import (
    ExportedMatch,
    KeptCheck,
    NewCheck,
    ShownMatch,
    StoredCheck,
    VerdictExists,
)
from bot.store import changes
from bot.store.keys import pack
from bot.store.rows import RowLike
from bot.store.sql.desk import add_request, drop_request, has_request
from bot.store.sql.history import HistoryQueries
from bot.store.sql.schema import checks, match_verdicts

_CHECK_ROW = tuple(c.name for c in checks.columns if c.name != "id")
ADD_CHECK = checks.insert().values({n: bindparam(n) for n in _CHECK_ROW}).returning(checks.c.id)
CHECK_OF = select(*(checks.c[n] for n in ("id", *_CHECK_ROW))).where(
    checks.c.id == bindparam("id"), checks.c.workspace_key == bindparam("key")
)
VERDICTS_OF = select(
    match_verdicts.c.claim_id, match_verdicts.c.verdict, match_verdicts.c.by_name
).where(match_verdicts.c.check_id == bindparam("id"))
VERDICT_OF = select(match_verdicts.c.verdict, match_verdicts.c.by_name).where(
    match_verdicts.c.check_id == bindparam("check_id"),
    match_verdicts.c.claim_id == bindparam("claim_id"),
)
ADD_VERDICT = match_verdicts.insert().values(
    {n: bindparam(n) for n in (c.name for c in match_verdicts.columns)}
)
REJECTED_FOR = (
    select(match_verdicts.c.claim_id)
    .join(checks, checks.c.id == match_verdicts.c.check_id)
    .where(
        checks.c.workspace_key == bindparam("key"),
        checks.c.message_key == bindparam("message_key"),
        match_verdicts.c.verdict == Verdict.REJECTED.value,
    )
)
CHECKS_OF_WORKSPACE = (
    select(*(checks.c[n] for n in ("id", *_CHECK_ROW)))
    .where(checks.c.workspace_key == bindparam("key"))
    .order_by(checks.c.id)
)
VERDICTS_OF_WORKSPACE = (
    select(
        match_verdicts.c.check_id,
        match_verdicts.c.claim_id,
        match_verdicts.c.verdict,
        match_verdicts.c.by_name,
        match_verdicts.c.at,
    )
    .join(checks, checks.c.id == match_verdicts.c.check_id)
    .where(checks.c.workspace_key == bindparam("key"))
)


def _shown_json(shown: tuple[ShownMatch, ...]) -> str:
    return json.dumps([[m.claim_id, m.tier.value, m.score] for m in shown])


def _shown_from(text: str) -> tuple[ShownMatch, ...]:
    return tuple(ShownMatch(int(n), MatchTier(t), s) for n, t, s in json.loads(text))


def _check_from(row: RowLike) -> NewCheck:
    """A row of ``CHECK_OF`` or ``CHECKS_OF_WORKSPACE`` (id first) as the check was asked."""
    return NewCheck(
        message_key=str(row[2]),
        text=str(row[3]),
        link=row[4],
        asked_by=Person(user_id=str(row[5]), name=str(row[6])),
        at=datetime.fromisoformat(str(row[7])),
        shown=_shown_from(str(row[8])),
        channel_id=str(row[9]),
    )


class VerdictQueries(HistoryQueries):
    async def record_check(
        self, workspace: str, check: NewCheck, *, repeat: RepeatRule | None = None
    ) -> KeptCheck:
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, check.at)
            check_id = await db.value(
                ADD_CHECK,
                workspace_key=key,
                message_key=check.message_key,
                text=check.text,
                link=check.link,
                asked_by_id=check.asked_by.user_id,
                asked_by_name=check.asked_by.name,
                asked_at=check.at.isoformat(),
                shown=_shown_json(check.shown),
                channel_id=check.channel_id,
            )
            # In claim order: two checks locking the same claims never wait on each other.
            alerted = False
            for claim_id in sorted(set(check.requested)):
                alerted |= await add_request(
                    db,
                    key=key,
                    workspace=workspace,
                    claim_id=claim_id,
                    request=check.request(int(check_id)),
                    repeat=repeat,
                )
        self._remember(workspace, key)
        return KeptCheck(int(check_id), alerted)

    async def stored_check(self, workspace: str, check_id: int) -> StoredCheck | None:
        key = await self._key(workspace)
        if key is None:
            return None
        row = await self._reads.row(CHECK_OF, id=check_id, key=key)
        if row is None:
            return None
        verdicts = await self._reads.rows(VERDICTS_OF, id=check_id)
        return StoredCheck(
            id=int(row[0]),
            asked=_check_from(row),
            verdicts={int(r[0]) & 0xFFFFFFFF: (Verdict(r[1]), str(r[2])) for r in verdicts},
        )

    async def rejected_for(self, workspace: str, message_key: str) -> frozenset[int]:
        key = await self._key(workspace)
        if key is None:
            return frozenset()
        rows = await self._reads.rows(REJECTED_FOR, key=key, message_key=message_key)
        return frozenset(int(r[0]) & 0xFFFFFFFF for r in rows)

    async def record_verdict(
        self,
        workspace: str,
        check_id: int,
        claim_id: int,
        verdict: Verdict,
        *,
        detail: str,
        actor: Person,
        at: datetime,
        repeat: RepeatRule | None = None,
    ) -> HistoryEntry:
        async with self._write() as db:
            key = await self._key(workspace)
            check_row = None if key is None else await db.row(CHECK_OF, id=check_id, key=key)
            if key is None or check_row is None:
                raise NotFound(f"check {check_id}")
            claim = await self._fetch_claim(db, workspace, claim_id, for_update=True)
            if claim is None:
                raise NotFound(f"claim {claim_id}")
            packed = pack(key, claim_id)
            given = await db.row(VERDICT_OF, check_id=check_id, claim_id=packed)
            if given is not None:
                raise VerdictExists(str(given[0]), str(given[1]))
            await db.run(
                ADD_VERDICT,
                check_id=check_id,
                claim_id=packed,
                verdict=verdict.value,
                by_id=actor.user_id,
                by_name=actor.name,
                at=at.isoformat(),
            )
            if verdict is Verdict.REJECTED:
                await drop_request(db, key=key, claim_id=claim_id, check_id=check_id)
            elif not await has_request(db, key=key, claim_id=claim_id, check_id=check_id):
                request = _check_from(check_row).request(check_id)
                await add_request(
                    db,
                    key=key,
                    workspace=workspace,
                    claim_id=claim_id,
                    request=request,
                    repeat=repeat,
                )
            content = await self._content_recorded(db, packed)
            change = changes.match_verdict(claim, verdict, detail, content, actor, at)
            return await self._record(db, key, workspace, change)

    async def exported_matches(self, workspace: str) -> list[ExportedMatch]:
        key = await self._key(workspace)
        if key is None:
            return []
        given = {
            (int(r[0]), int(r[1]) & 0xFFFFFFFF): (Verdict(r[2]), str(r[3]), str(r[4]))
            for r in await self._reads.rows(VERDICTS_OF_WORKSPACE, key=key)
        }
        exported = []
        for row in await self._reads.rows(CHECKS_OF_WORKSPACE, key=key):
            asked = _check_from(row)
            for match in asked.shown:
                verdict, by, at = given.get((int(row[0]), match.claim_id), (None, "", None))
                exported.append(
                    ExportedMatch(
                        check_id=int(row[0]),
                        asked_at=asked.at,
                        text=asked.text,
                        link=asked.link,
                        match=match,
                        verdict=verdict,
                        verdict_by=by,
                        verdict_at=datetime.fromisoformat(at) if at else None,
                    )
                )
        return exported
