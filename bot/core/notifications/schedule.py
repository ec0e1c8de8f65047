"""When digests go out and how long to wait before retrying."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bot.core.notifications.models import Cadence

DAILY_DIGEST_HOUR_UTC = 8


def due_at(cadence: Cadence, at: datetime) -> datetime:
    """Instant: now. Hourly: the next full hour. Daily: the next 08:00 UTC."""
    if cadence is Cadence.INSTANT:
        return at
    if cadence is Cadence.HOURLY:
        return at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    today = at.replace(hour=DAILY_DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return today if today > at else today + timedelta(days=1)


def backoff(
    attempts: int, *, base: float = 2.0, cap: float = 900.0, jitter: random.Random | None = None
) -> float:
    """Exponential backoff with jitter: 2 s, 4 s, 8 s … up to 15 minutes."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    spread = (jitter or random).uniform(0.8, 1.2)
    return float(delay * spread)
