"""Words and symbols every adapter shows the same way (so Discord, Slack and the console agree)."""

from __future__ import annotations

from datetime import datetime

from bot.core.models import HistoryEntry, HistoryKind, Stance, Status

STATUS_BADGE = {
    Status.VERIFIED: "✅",
    Status.DISPUTED: "⛔",
    Status.UNVERIFIED: "❔",
}

STATUS_LABEL = {
    Status.VERIFIED: "Verified",
    Status.DISPUTED: "Disputed",
    Status.UNVERIFIED: "Unverified",
}

STANCE_LABEL = {
    Stance.SUPPORTS: "supports",
    Stance.REFUTES: "refutes",
    Stance.CONTEXT: "context",
}


def badge(status: Status) -> str:
    return f"{STATUS_BADGE[status]} {STATUS_LABEL[status]}"


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so a shortened claim never looks complete."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def describe_entry(entry: HistoryEntry) -> str:
    """One line for a history entry, without the date or the actor."""
    if entry.kind is HistoryKind.STATUS_CHANGED and entry.old_status and entry.new_status:
        return f"{entry.old_status.value} → {entry.new_status.value}: {entry.detail}"
    if entry.kind is HistoryKind.CREATED:
        return "claim added (unverified)"
    return f"source added ({entry.detail})"
