"""The tamper-evident history chain.

Each history entry stores ``hash = sha256(prev_hash || canonical JSON of its content)``; the first
entry of a workspace chains from the empty string. Editing, inserting or deleting any entry breaks
every hash after it, and ``claimdesk audit verify`` names the first entry that no longer matches.
Publishing the head hash it prints (e.g. in a newsroom's corrections log) also pins the tail.

Each entry also records, in ``content``, a digest of what the claim says after it: text,
claimant, date, tags, author, and every source (link, title, outlet, stance, note) folded in
the order they were added. The digest is part of the entry's hash, so it cannot be rewritten
either, and the audit compares it with what the claim's rows say now: an edit of a claim's
words, or of a source, or a deleted source, made outside the bot is named. (Entries written
before the store had this column carry none; a claim is bound from its next change.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import datetime

from bot.core.models import AuditProblem, AuditReport, HistoryEntry, HistoryKind, Person, Status
from bot.core.ports import AuditStore, StoredContent

GENESIS = ""
# Claims a workspace's audit names at most (a forger who rewrote thousands needs no list).
_AUDIT_PROBLEMS_SHOWN = 50


# A fixed-order JSON array: canonical, unambiguous (strings are quoted and escaped), and
# about twice as fast to build as a key-sorted object, which matters for bulk imports.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def chain_hash(
    prev_hash: str,
    workspace: str,
    seq: int,
    claim_id: int,
    kind: str,
    old_status: str | None,
    new_status: str | None,
    actor_id: str,
    actor_name: str,
    detail: str,
    at: str,
    content: str | None = None,
) -> str:
    """The hash of one entry from its stored (text) values; what a verifier recomputes."""
    fields: list[object] = [
        workspace, seq, claim_id, kind, old_status, new_status, actor_id, actor_name, detail, at
    ]  # fmt: skip
    if content is not None:  # entries from before content digests hash as they always did
        fields.append(content)
    canonical = _CANONICAL.encode(fields)
    return hashlib.sha256((prev_hash + "\n" + canonical).encode("utf-8")).hexdigest()


def entry_hash(
    *,
    prev_hash: str,
    workspace: str,
    seq: int,
    claim_id: int,
    kind: HistoryKind,
    old_status: Status | None,
    new_status: Status | None,
    actor_id: str,
    actor_name: str,
    detail: str,
    at: datetime,
    content: str | None,
) -> str:
    return chain_hash(
        prev_hash,
        workspace,
        seq,
        claim_id,
        kind.value,
        old_status.value if old_status else None,
        new_status.value if new_status else None,
        actor_id,
        actor_name,
        detail,
        at.isoformat(),
        content,
    )


def chained_entry(
    *,
    workspace: str,
    seq: int,
    prev_hash: str,
    claim_id: int,
    kind: HistoryKind,
    old: Status | None,
    new: Status | None,
    actor: Person,
    detail: str,
    at: datetime,
    content: str,
) -> HistoryEntry:
    """The history entry that follows ``prev_hash`` in a workspace's chain, hashed: what either
    store appends."""
    return HistoryEntry(
        workspace=workspace,
        seq=seq,
        claim_id=claim_id,
        kind=kind,
        old_status=old,
        new_status=new,
        actor=actor,
        detail=detail,
        at=at,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash=prev_hash,
            workspace=workspace,
            seq=seq,
            claim_id=claim_id,
            kind=kind,
            old_status=old,
            new_status=new,
            actor_id=actor.user_id,
            actor_name=actor.name,
            detail=detail,
            at=at,
            content=content,
        ),
        content=content,
    )


def claim_content(
    text: str, claimant: str, claimed_on: str | None, tags: str, created_by_id: str
) -> str:
    """The digest of a claim as created, before any source (``tags`` as stored: space-joined)."""
    canonical = _CANONICAL.encode(["claim", text, claimant, claimed_on, tags, created_by_id])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def with_source(
    content: str, url: str | None, title: str, outlet: str, stance: str, note: str
) -> str:
    """The digest of a claim once one more source is added to the claim ``content`` digests."""
    canonical = _CANONICAL.encode(["source", url, title, outlet, stance, note])
    return hashlib.sha256((content + "\n" + canonical).encode("utf-8")).hexdigest()


def content_now(stored: StoredContent) -> str:
    """The digest of what a claim's rows say now, to compare with what its history recorded."""
    content = claim_content(
        stored.text, stored.claimant, stored.claimed_on, stored.tags, stored.created_by_id
    )
    for source in stored.sources:
        content = with_source(content, *source)
    return content


def content_problem(workspace: str, stored: StoredContent) -> AuditProblem | None:
    """Whether a claim's rows still say what its history recorded."""
    if stored.recorded is None:
        if stored.has_history:
            return None  # last changed before content digests existed: nothing to compare
        message = f"claim #{stored.number} has no history: it was written outside the bot"
    elif content_now(stored) != stored.recorded:
        message = (
            f"claim #{stored.number} does not say what its history recorded: its text, "
            "claimant, date, tags or sources were changed outside the bot"
        )
    else:
        return None
    return AuditProblem(workspace=workspace, seq=None, message=message)


def recompute(entry: HistoryEntry, prev_hash: str) -> str:
    return entry_hash(
        prev_hash=prev_hash,
        workspace=entry.workspace,
        seq=entry.seq,
        claim_id=entry.claim_id,
        kind=entry.kind,
        old_status=entry.old_status,
        new_status=entry.new_status,
        actor_id=entry.actor.user_id,
        actor_name=entry.actor.name,
        detail=entry.detail,
        at=entry.at,
        content=entry.content,
    )


async def verify_chain(
    workspace: str, entries: AsyncIterator[HistoryEntry], recorded_head: tuple[int, str]
) -> tuple[int, AuditProblem | None, tuple[int, str]]:
    """Walk one workspace's chain in seq order.

    Returns (entries checked, first problem or None, (last seq, head hash) as recomputed).
    ``recorded_head`` is what the workspace row says the chain ends with, which catches a
    deleted tail as long as the head itself was not rewritten too.
    """
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    async for entry in entries:
        checked += 1
        if entry.seq != expected_seq:
            return (
                checked,
                AuditProblem(
                    workspace=workspace,
                    seq=entry.seq,
                    message=f"entry {expected_seq} is missing (the next entry found is {entry.seq})",
                ),
                (entry.seq, prev_hash),
            )
        if entry.prev_hash != prev_hash:
            return (
                checked,
                AuditProblem(
                    workspace=workspace,
                    seq=entry.seq,
                    message=f"entry {entry.seq} does not link to entry {entry.seq - 1}",
                ),
                (entry.seq, prev_hash),
            )
        if recompute(entry, prev_hash) != entry.hash:
            return (
                checked,
                AuditProblem(
                    workspace=workspace,
                    seq=entry.seq,
                    message=(
                        f"entry {entry.seq} (claim #{entry.claim_id}, {entry.kind.value}) was changed "
                        "after it was written: its content no longer matches its hash"
                    ),
                ),
                (entry.seq, prev_hash),
            )
        prev_hash = entry.hash
        expected_seq += 1
    last = (expected_seq - 1, prev_hash)
    if last != recorded_head:
        return (
            checked,
            AuditProblem(
                workspace=workspace,
                seq=recorded_head[0],
                message=(
                    f"the chain ends at entry {last[0]} but the workspace recorded entry "
                    f"{recorded_head[0]} as its last: entries were removed"
                ),
            ),
            last,
        )
    return checked, None, last


async def audit_store(store: AuditStore) -> AuditReport:
    """Verify every workspace's history chain and that claims match their history.

    Raises StoreDamaged first if the file fails SQLite's integrity check: a damaged file
    can neither be trusted to say OK nor walked to the end.
    """
    await store.check_integrity()
    problems: list[AuditProblem] = []
    heads: list[tuple[str, int, str]] = []
    total = 0
    workspaces = await store.workspaces()
    for workspace in workspaces:
        recorded = await store.recorded_head(workspace)
        checked, problem, head = await verify_chain(
            workspace, store.iter_history(workspace), recorded
        )
        total += checked
        if problem:
            problems.append(problem)
        else:
            heads.append((workspace, head[0], head[1]))
        for claim_id, stored, expected in await store.status_mismatches(workspace):
            problems.append(
                AuditProblem(
                    workspace=workspace,
                    seq=None,
                    message=(
                        f"claim #{claim_id} is stored as {stored.value} but its history "
                        f"says {expected.value if expected else 'nothing'}"
                    ),
                )
            )
        problems += await _content_problems(store, workspace)
    return AuditReport(
        workspaces_checked=len(workspaces),
        entries_checked=total,
        problems=tuple(problems),
        heads=tuple(heads),
    )


async def _content_problems(store: AuditStore, workspace: str) -> list[AuditProblem]:
    """Claims whose rows no longer say what their history recorded, or that are gone."""
    found = [
        AuditProblem(
            workspace=workspace,
            seq=None,
            message=f"claim #{number} is in the history but was deleted outside the bot",
        )
        for number in await store.claims_missing(workspace)
    ]
    async for stored in store.claim_contents(workspace):
        problem = content_problem(workspace, stored)
        if problem:
            found.append(problem)
            if len(found) >= _AUDIT_PROBLEMS_SHOWN:
                break
    return found
