"""What is followed, what happened, and what is to be delivered to whom."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core.models import Stance, Status

# The workspace setting naming the channel where members are told, once, that their DMs fail.
NOTICE_CHANNEL = "notice_channel"


class Scope(StrEnum):
    CLAIM = "claim"
    TAG = "tag"
    ALL = "all"


class Channel(StrEnum):
    DM = "dm"
    CHANNEL = "channel"


class Cadence(StrEnum):
    INSTANT = "instant"
    HOURLY = "hourly"
    DAILY = "daily"


class EventKind(StrEnum):
    CLAIM_ADDED = "claim_added"
    SOURCE_ADDED = "source_added"
    STATUS_CHANGED = "status_changed"
    # Recorded in the history; no subscription hears of them (recipients.HEARS), so they never
    # reach the outbox.
    MATCH_CONFIRMED = "match_confirmed"
    MATCH_REJECTED = "match_rejected"
    # A checked claim asked about again and again (bot/core/desk.py RepeatRule): its followers
    # hear, and the workspace's notice channel.
    GOING_ROUND = "going_round"
    # Told to the one put on a claim or taken off it only (bot/core/desk.py
    # told_of_assignment), never to followers.
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Subscription(_Frozen):
    id: int
    workspace: str
    user_id: str
    scope: Scope
    target: str
    delivery: Channel
    channel_id: str
    cadence: Cadence
    created_at: datetime

    def describe(self) -> str:
        what = {
            "claim": f"claim #{self.target}",
            "tag": f"tag {self.target}",
            "all": "every claim",
        }[self.scope]
        where = "by DM" if self.delivery is Channel.DM else f"in channel {self.channel_id}"
        when = "" if self.cadence is Cadence.INSTANT else f", {self.cadence.value} digest"
        return f"{what} {where}{when}"


class ClaimEvent(_Frozen):
    """A change as it happened, frozen into the outbox (later edits don't rewrite it)."""

    id: int
    workspace: str
    kind: EventKind
    claim_id: int
    claim_text: str
    status: Status
    old_status: Status | None = None
    new_status: Status | None = None
    actor_id: str
    actor_name: str
    reason: str = ""
    source_url: str | None = None
    source_stance: Stance | None = None
    source_outlet: str = ""
    tags: tuple[str, ...] = ()
    at: datetime


class Notification(_Frozen):
    """One message to one recipient: a single event, or a digest of several."""

    workspace: str
    recipient_kind: Channel
    recipient: str
    cadence: Cadence
    events: tuple[ClaimEvent, ...]
    delivery_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        """Stable across retries: lets a platform drop a resend of the same message."""
        return f"cd{min(self.delivery_ids)}"


class DueDelivery(_Frozen):
    id: int
    workspace: str
    recipient_kind: Channel
    recipient: str
    cadence: Cadence
    attempts: int
    event: ClaimEvent
