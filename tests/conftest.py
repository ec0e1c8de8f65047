from __future__ import annotations

import itertools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import Actor, ModeratorSettings
from bot.core.ports import Store
from bot.core.service import ClaimService
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

REPO = Path(__file__).resolve().parent.parent
# The sentence-embedding model shipped beside the project for machines that cannot download.
MODEL_PATH = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2-int8"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WS = "console:newsroom"
OTHER_WS = "discord:999"


class StepClock:
    """Deterministic time: each reading is one minute after the previous one."""

    def __init__(self) -> None:
        self._now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self._now += timedelta(minutes=1)
        return self._now


# What a refused request must leave untouched.
SNAPSHOT_TABLES = (
    "workspaces",
    "claims",
    "claim_tags",
    "sources",
    "history",
    "workspace_moderators",
)


@dataclass
class Desk:
    store: Store
    service: ClaimService
    path: Path | None  # the SQLite file; None on PostgreSQL
    reporter: Actor
    editor: Actor
    outsider: Actor  # same people, another workspace
    embedding: EmbeddingWorker
    url: str | None = None  # the PostgreSQL database; None on SQLite

    @property
    def file(self) -> Path:
        """The SQLite file, for a test of what only SQLite has (marked sqlite_only)."""
        assert self.path is not None, "mark this test sqlite_only"
        return self.path

    @property
    def sqlite(self) -> SqliteStore:
        """The store, for a test of what only SQLite has (marked sqlite_only)."""
        assert isinstance(self.store, SqliteStore), "mark this test sqlite_only"
        return self.store

    async def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows read straight from the database (SQLite's dialect, ``?`` parameters)."""
        return await read_rows(self.path, self.url, sql, *params)

    async def reopen(self) -> Store:
        """Another store on the same database, as a second process or a restart has."""
        if self.url is not None:
            return await PostgresStore.open(self.url)
        return await SqliteStore.open(self.file)

    async def execute(self, *statements: str, guards: bool = True) -> None:
        """Run SQL on the database behind the bot's back, as anyone holding it could. With
        ``guards=False`` the database's own refusals (triggers) are switched off first, as
        the owner of a SQLite file or a PostgreSQL superuser can. Written in SQLite's dialect;
        ``(1 << 32)`` (a workspace's first packed id) is widened for PostgreSQL."""
        if self.url is not None:
            database = await asyncpg.connect(self.url)
            try:
                async with database.transaction():
                    if not guards:
                        await database.execute("SET LOCAL session_replication_role = replica")
                    for sql in statements:
                        await database.execute(_widened(sql))
            finally:
                await database.close()
            return
        with sqlite3.connect(self.file) as conn:
            if not guards:
                triggers = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
                for (name,) in triggers.fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
            for sql in statements:
                conn.execute(sql)

    async def snapshot(self) -> dict[str, object]:
        """Every row a refused request must leave untouched, read straight from the database."""
        if self.url is not None:
            database = await asyncpg.connect(self.url)
            try:
                return {
                    t: [tuple(r) for r in await database.fetch(f"SELECT * FROM {t} ORDER BY 1, 2")]
                    for t in SNAPSHOT_TABLES
                }
            finally:
                await database.close()
        with sqlite3.connect(self.file) as conn:
            return {
                t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in SNAPSHOT_TABLES
            }


async def read_rows(
    path: Path | None, url: str | None, sql: str, *params: object
) -> list[tuple[Any, ...]]:
    """Rows read straight from either store's database (SQLite's dialect, ``?`` parameters)."""
    if url is not None:
        numbered = itertools.count(1)
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", _widened(sql))
        database = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await database.fetch(sql, *params)]
        finally:
            await database.close()
    assert path is not None
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def _widened(sql: str) -> str:
    """SQLite's 64-bit ``1 << 32`` for PostgreSQL, whose integer literals are 32-bit."""
    return sql.replace("(1 << 32)", "(1::bigint << 32)")


# ---------------------------------------------------------------- both stores
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: the test checks what only the SQLite store has (run once)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of a desk runs on both stores, unless marked sqlite_only."""
    if "store_kind" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("store_kind", ["sqlite"] if only else ["sqlite", "postgres"])


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """Put the root logger back after each test. Tests that run the CLI in this process have
    it log to that test's captured stderr, which pytest closes afterwards: a background thread
    of a later test (the model's loader) then logged into a closed stream."""
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    yield
    for handler in root.handlers:
        if handler not in kept[0]:
            handler.close()  # the log file a one-off command opened
    root.handlers[:], root.level = kept


@pytest.fixture(autouse=True)
def no_download_and_a_log_folder_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test never fetches the model: where a command has no model folder, its loader fails at
    once (a fetch left running in the background outlived the session and printed after the
    summary). One-off commands log to the user's log folder: the test's own, not the
    developer's (platformdirs reads XDG_STATE_HOME)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL for the whole run (the pgserver wheel: PostgreSQL 16, started in
    about a second), with a template database already migrated."""
    from pgserver.postgres_server import get_server  # only when a test asks for PostgreSQL

    # Its exit hook logs after pytest has closed the streams ("Logging error" at the end).
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


_TEMPLATE = "claimdesk_template"
_databases = itertools.count(1)


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


async def new_database(server: str) -> str:
    """A fresh database on the test server, copied from a migrated template (faster than
    migrating each); returns its address."""
    admin = await asyncpg.connect(server)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", _TEMPLATE):
            await admin.execute(f"CREATE DATABASE {_TEMPLATE}")
            store = await PostgresStore.open(database_url(server, _TEMPLATE))
            await store.close()
        name = f"desk_{next(_databases)}"
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE}")
    finally:
        await admin.close()
    return database_url(server, name)


@pytest.fixture
async def store_url(store_kind: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh PostgreSQL database for a test on that store; None on SQLite. The server starts
    only if a test needs it."""
    if store_kind != "postgres":
        return None
    return await new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real model, loaded once for the whole run (about a second)."""
    from bot.embedding import fastembed

    if not (MODEL_PATH / "model.onnx").is_file():
        pytest.fail(f"the shared model is missing: {MODEL_PATH} (see the README's Set-up)")
    return fastembed.load(MODEL_NAME, model_path=MODEL_PATH, cache_dir=None, threads=None)


@pytest.fixture
async def desk(tmp_path: Path, store_url: str | None) -> AsyncIterator[Desk]:
    """A desk matching by words only (no model), as the bot runs when none can be had."""
    async for desk in open_desk(tmp_path, SemanticModel(None, name="none"), store_url):
        yield desk


@pytest.fixture
async def smart_desk(
    tmp_path: Path, embedder: Embedder, store_url: str | None
) -> AsyncIterator[Desk]:
    """A desk with the real sentence-embedding model."""
    async for desk in open_desk(tmp_path, SemanticModel.ready_with(embedder), store_url):
        yield desk


async def open_desk(
    tmp_path: Path, model: SemanticModel, url: str | None = None
) -> AsyncIterator[Desk]:
    """A desk on PostgreSQL at ``url``, else on a SQLite file in ``tmp_path``."""
    store: Store
    path: Path | None = None
    if url is not None:
        store = await PostgresStore.open(url)
    else:
        path = tmp_path / "claims.sqlite3"
        store = await SqliteStore.open(path)
    service = ClaimService(
        store,
        StepClock(),
        matcher=Matcher(store, model),
        configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"editors"}))},
    )
    try:
        yield Desk(
            store=store,
            service=service,
            path=path,
            url=url,
            reporter=Actor(workspace=WS, user_id="u-rep", display_name="Rita Reporter"),
            editor=Actor(
                workspace=WS,
                user_id="u-ed",
                display_name="Eddie Editor",
                role_ids=frozenset({"editors"}),
            ),
            outsider=Actor(
                workspace=OTHER_WS,
                user_id="u-ed",
                display_name="Eddie Editor",
                is_workspace_admin=True,
            ),
            embedding=EmbeddingWorker(store, model),
        )
    finally:
        await store.close()
