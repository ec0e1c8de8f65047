"""Whose verdict a status is: the newsroom's own moderators', a published fact-check brought in
from outside, or the demo seeds. Exports publish only the newsroom's own unless asked: a
ClaimReview names its author, and a newsroom must not sign another's verdict."""

from __future__ import annotations

from enum import StrEnum

from bot.core.models import Person

# The in-process writers that are not people of the newsroom.
SEED_IMPORT = Person(user_id="claimdesk:seed", name="Claimdesk seed import")
REVIEW_IMPORT = Person(user_id="claimdesk:claimreview-import", name="ClaimReview import")


class Origin(StrEnum):
    DESK = "desk"  # set by the newsroom's moderators
    IMPORTED = "imported"  # a published fact-check (import claimreview, /claim import)
    SEED = "seed"  # the seeded demo claims


def origin_of(actor: Person) -> Origin:
    if actor.user_id == REVIEW_IMPORT.user_id:
        return Origin.IMPORTED
    if actor.user_id == SEED_IMPORT.user_id:
        return Origin.SEED
    return Origin.DESK
