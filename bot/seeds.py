"""Seed folders: a news article and the claims drawn from it (format: seeds/README.md).

Importing is idempotent: each claim is keyed by "<article id>/<claim key>" inside the workspace,
and a second import finds it and adds nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.core.models import Actor, Stance, Status
from bot.core.ports import NewClaim, NewSource
from bot.core.provenance import SEED_IMPORT
from bot.core.service import ClaimService

SEED_FILE = "seed.toml"


class SeedError(Exception):
    """A seed folder is malformed; the message names the file and the field."""


class SeedArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,80}$")
    title: str = Field(min_length=1, max_length=300)
    file: str = "article.txt"
    published: str | None = None
    url: str = ""
    outlet: str = ""
    language: str = "en"


class SeedClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    text: str
    claimant: str = ""
    date: str | None = None
    tags: list[str] = []
    status: Status = Status.UNVERIFIED
    status_reason: str = ""
    stance: Stance = Stance.CONTEXT
    quote: str = ""

    @model_validator(mode="after")
    def _reason_for_status(self) -> SeedClaim:
        if self.status is not Status.UNVERIFIED and not self.status_reason.strip():
            raise ValueError(
                f"claim '{self.key}' has status {self.status.value} but no status_reason"
            )
        return self


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: SeedArticle
    claims: list[SeedClaim]


@dataclass(frozen=True)
class Seed:
    folder: Path
    spec: SeedFile
    article_text: str


@dataclass
class ImportStats:
    claims_added: int = 0
    claims_present: int = 0
    sources_added: int = 0


def load_seed(folder: Path) -> Seed:
    path = folder / SEED_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        spec = SeedFile.model_validate(raw)
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SeedError(f"{path}: {where}: {first['msg']}") from None
    article_path = folder / spec.article.file
    try:
        article_text = article_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{article_path}: cannot read ({exc.strerror})") from None
    keys = [c.key for c in spec.claims]
    if len(keys) != len(set(keys)):
        raise SeedError(f"{path}: claim keys must be unique")
    for claim in spec.claims:
        if claim.quote and claim.quote not in article_text:
            raise SeedError(
                f"{path}: claim '{claim.key}': its quote does not appear verbatim in {spec.article.file}"
            )
    return Seed(folder=folder, spec=spec, article_text=article_text)


def find_seeds(root: Path) -> list[Seed]:
    """A folder holding seed.toml is one seed; otherwise each such subfolder, in name order."""
    if (root / SEED_FILE).is_file():
        return [load_seed(root)]
    if not root.is_dir():
        raise SeedError(f"{root}: no such seed folder")
    return [load_seed(p) for p in sorted(root.iterdir()) if (p / SEED_FILE).is_file()]


def seed_actor(workspace: str) -> Actor:
    return Actor(
        workspace=workspace,
        user_id=SEED_IMPORT.user_id,
        display_name=SEED_IMPORT.name,
        is_system=True,
    )


Progress = Callable[[int, int, str], None]


async def import_seeds(
    service: ClaimService,
    workspace: str,
    seeds: list[Seed],
    *,
    progress: Progress | None = None,
) -> ImportStats:
    stats = ImportStats()
    actor = seed_actor(workspace)
    total = sum(len(s.spec.claims) for s in seeds)
    done = 0
    for seed in seeds:
        article = seed.spec.article
        for item in seed.spec.claims:
            source = NewSource(
                url=article.url or None,
                title=article.title,
                outlet=article.outlet or f"seeds/{seed.folder.name}",
                stance=item.stance,
                note=f"“{item.quote}”" if item.quote else "",
            )
            claim, created = await service.import_claim(
                actor,
                NewClaim(
                    text=item.text,
                    claimant=item.claimant,
                    claimed_on=item.date,
                    tags=tuple(item.tags),
                    status=item.status,
                    seed_key=f"{article.id}/{item.key}",
                ),
                reason=item.status_reason or "Imported from seed",
                sources=[source],
            )
            if created:
                stats.claims_added += 1
                stats.sources_added += 1
            else:
                stats.claims_present += 1
                if await service.import_source(actor, claim.id, source):
                    stats.sources_added += 1
            done += 1
            if progress:
                progress(done, total, item.key)
    return stats
