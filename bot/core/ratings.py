"""What a published fact-check's rating means for a claim's status, and for its source's stance.

A ClaimReview carries its rating as text ("False", "Pants on Fire", "Mostly true"): the table
maps it, case and spacing aside, to one of Claimdesk's statuses; a rating it does not know
leaves the claim unverified, with the rating shown verbatim in the source. A newsroom can
extend or override the table in the config (``[claimreview.ratings]``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.models import Stance, Status

DEFAULT_RATINGS: dict[str, Status] = {
    "false": Status.DISPUTED,
    "pants on fire": Status.DISPUTED,
    "fake": Status.DISPUTED,
    "incorrect": Status.DISPUTED,
    "true": Status.VERIFIED,
    "correct": Status.VERIFIED,
    "accurate": Status.VERIFIED,
}


def _key(rating: str) -> str:
    return " ".join(rating.casefold().replace("-", " ").split())


class RatingTable:
    def __init__(self, overrides: Mapping[str, Status] | None = None) -> None:
        self._table = {_key(k): v for k, v in DEFAULT_RATINGS.items()}
        self._table.update({_key(k): v for k, v in (overrides or {}).items()})

    def status(self, rating: str) -> Status:
        return self._table.get(_key(rating), Status.UNVERIFIED)

    @staticmethod
    def stance(status: Status) -> Stance:
        """A review that rates the claim false refutes it; true supports it; else context."""
        return {Status.DISPUTED: Stance.REFUTES, Status.VERIFIED: Stance.SUPPORTS}.get(
            status, Stance.CONTEXT
        )
