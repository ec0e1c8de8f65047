"""The PostgreSQL store (asyncpg): the same rules and answers as the SQLite store, for several
bot processes on one database."""

from bot.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
