"""`claimdesk migrate`: bring the configured store's schema up to date."""

from __future__ import annotations

from rich.console import Console

from bot.bootstrap import (
    open_store,
)
from bot.config import (
    Config,
)
from bot.store.postgres.store import shown


async def migrate(config: Config, out: Console) -> int:
    store = await open_store(config.storage)  # opening creates or upgrades the schema
    try:
        version = await store.schema_version()
        applied = store.migrated_on_open
    finally:
        await store.close()
    url = config.storage.database_url()
    where = shown(url) if url else str(config.storage.resolved_path())
    if applied and applied[0] == 1:
        out.print(f"Created the store at {where} (schema version {version}).")
    elif applied:
        out.print(
            f"Upgraded the store at {where} from schema version {applied[0] - 1} to {version}."
        )
    else:
        out.print(f"The store at {where} is up to date (schema version {version}).")
    return 0
