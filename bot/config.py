"""Configuration: a TOML file (see config.example.toml) plus environment variables for secrets.

Nothing here runs at import time; ``load_config`` is called once by the bootstrap. Validation
errors name the key that is wrong, e.g. ``config.toml: discord.test_guild_id: …``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core.models import ModeratorSettings, Status

# Environment variables that may carry secrets (and the config key each one fills).
SECRET_ENV = {
    "DISCORD_TOKEN": ("discord", "token"),
    "SLACK_BOT_TOKEN": ("slack", "bot_token"),
    "SLACK_APP_TOKEN": ("slack", "app_token"),
    "SLACK_SIGNING_SECRET": ("slack", "signing_secret"),
    "GOOGLE_FACTCHECK_API_KEY": ("factcheck", "api_key"),
}


class ConfigError(Exception):
    pass


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(value: str) -> bool:
    """A PostgreSQL address (rather than a SQLite file's path)."""
    return value.startswith(POSTGRES_SCHEMES)


class StorageConfig(_Section):
    # The SQLite file. Empty means the user's data directory
    # (e.g. ~/.local/share/claimdesk/claimdesk.sqlite3).
    path: str = ""
    # A PostgreSQL database instead, for several bot processes on one store:
    # "postgresql://user:password@host:5432/claimdesk". A secret (it may hold a password).
    url: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _postgres_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_database_url(value.get_secret_value()):
            raise ValueError("must be a PostgreSQL address: postgresql://user@host/database")
        return value

    def database_url(self) -> str | None:
        return self.url.get_secret_value() if self.url is not None else None

    def resolved_path(self) -> Path:
        if self.path:
            return Path(self.path).expanduser()
        return Path(platformdirs.user_data_dir("claimdesk")) / "claimdesk.sqlite3"


class SeedsConfig(_Section):
    # Empty means the seeds/ folder shipped beside the bot package.
    path: str = ""
    # Import the seeds into the console workspace when the console starts (idempotent).
    load_into_console: bool = True

    def resolved_path(self) -> Path:
        if self.path:
            return Path(self.path).expanduser()
        return Path(__file__).resolve().parent.parent / "seeds"


class ConsoleConfig(_Section):
    workspace: str = Field("local", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    user: str = ""


class DiscordConfig(_Section):
    token: SecretStr | None = None
    # Sync commands to this guild only (instant, for testing); 0 syncs globally.
    test_guild_id: int = Field(0, ge=0)
    # Where discord.py sends REST calls; only changed by the tests' fake Discord.
    api_base: str = ""
    # Sharding, for a bot in thousands of servers run as several processes on one PostgreSQL
    # store: how many shards in all (0: no sharding, one connection), and which of them this
    # process runs (empty: all of them). Discord sends each server's events to one shard.
    shard_count: int = Field(0, ge=0)
    shard_ids: list[int] = []

    @model_validator(mode="after")
    def _shards_exist(self) -> DiscordConfig:
        if self.shard_ids and not self.shard_count:
            raise ValueError("shard_ids needs shard_count (how many shards there are in all)")
        wrong = [n for n in self.shard_ids if not 0 <= n < self.shard_count]
        if wrong:
            raise ValueError(
                f"shard_ids {wrong} are not shards of {self.shard_count} (0 to {self.shard_count - 1})"
            )
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids lists a shard twice")
        return self


class SlackConfig(_Section):
    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "127.0.0.1"
    http_port: int = Field(3000, ge=1, le=65535)
    api_base: str = ""


class WorkspaceConfig(_Section):
    moderator_roles: list[str] = []
    moderator_users: list[str] = []

    def settings(self) -> ModeratorSettings:
        return ModeratorSettings(
            role_ids=frozenset(self.moderator_roles), user_ids=frozenset(self.moderator_users)
        )


class NotificationsConfig(_Section):
    # How long a sender holds a delivery before another may retry it (after a crash, the
    # undelivered are sent again once this runs out).
    lease_seconds: float = Field(120.0, gt=0, le=3600)
    # Retry failed deliveries (with backoff) for this long, then give up and keep the reason.
    give_up_after_hours: float = Field(24.0, gt=0, le=24 * 14)


class MatchingConfig(_Section):
    # Match by meaning as well as by words (sentence embeddings). Off: words only.
    semantic: bool = True
    # A sentence-transformers model that fastembed knows, fetched by name on first use.
    model: str = Field("sentence-transformers/all-MiniLM-L6-v2", min_length=1)
    # A folder holding the model (model.onnx and its tokenizer): read from there, never fetched.
    model_path: str = ""
    # Where a fetched model is kept; empty: the user's cache directory.
    cache_dir: str = ""
    # Threads ONNX Runtime may use; 0: as many as there are cores.
    threads: int = Field(0, ge=0, le=64)

    def resolved_model_path(self) -> Path | None:
        return Path(self.model_path).expanduser() if self.model_path else None

    def resolved_cache_dir(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return Path(platformdirs.user_cache_dir("claimdesk")) / "models"


class NewsroomConfig(_Section):
    # Who publishes the desk's checks (ClaimReview's author) and where: a claim's page is
    # <site>/claims/<id>.html (claimdesk export).
    name: str = ""
    site: str = ""

    @field_validator("site")
    @classmethod
    def _absolute_https(cls, value: str) -> str:
        # A ClaimReview's url and author.url must be absolute: "checks.example" would publish
        # "checks.example/claims/1.html", which no search engine reads as an address.
        if not value:
            return value
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
            raise ValueError(
                f"must be the site's absolute https address, such as https://checks.example.org"
                f" (not {value!r})"
            )
        return value.strip()


class FactCheckConfig(_Section):
    # /claim lookup: Google's Fact Check Tools. The key comes from GOOGLE_FACTCHECK_API_KEY;
    # without one the command says how to get one.
    api_key: SecretStr | None = None
    api_base: str = "https://factchecktools.googleapis.com"
    # Only reviews in this language (e.g. "en"); empty: any.
    language: str = ""


class ClaimReviewConfig(_Section):
    # Ratings (as published, case aside) and the status each means, added to or overriding
    # the defaults of bot/core/ratings.py; a rating in neither leaves the claim unverified.
    ratings: dict[str, Status] = {}


class AlertsConfig(_Section):
    # A claim already verified or disputed that is asked about this many times within an hour
    # is "going round again": its followers and the notice channel hear, once a day at most.
    repeat_threshold: int = Field(5, ge=2, le=10_000)


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where one-off commands and the console log (their output is their answer, so their log
    # goes to a file); empty: claimdesk.log in the user's log directory. A bot serving Discord
    # or Slack logs to stderr, for its service manager.
    file: str = ""

    def resolved_file(self) -> Path:
        if self.file:
            return Path(self.file).expanduser()
        return Path(platformdirs.user_log_dir("claimdesk")) / "claimdesk.log"


class Config(_Section):
    storage: StorageConfig = StorageConfig()
    seeds: SeedsConfig = SeedsConfig()
    console: ConsoleConfig = ConsoleConfig()
    discord: DiscordConfig = DiscordConfig()
    slack: SlackConfig = SlackConfig()
    notifications: NotificationsConfig = NotificationsConfig()
    matching: MatchingConfig = MatchingConfig()
    claimreview: ClaimReviewConfig = ClaimReviewConfig()
    newsroom: NewsroomConfig = NewsroomConfig()
    factcheck: FactCheckConfig = FactCheckConfig()
    alerts: AlertsConfig = AlertsConfig()
    logging: LoggingConfig = LoggingConfig()
    # Keyed by workspace id: "discord:<guild id>", "slack:<team id>", "console:<name>".
    workspaces: dict[str, WorkspaceConfig] = {}

    def moderators(self) -> dict[str, ModeratorSettings]:
        return {name: ws.settings() for name, ws in self.workspaces.items()}

    def with_database(self, database: str) -> Config:
        """This configuration on another store: a PostgreSQL address or a SQLite file."""
        storage = (
            StorageConfig(url=SecretStr(database))
            if is_database_url(database)
            else StorageConfig(path=database)
        )
        return self.model_copy(update={"storage": storage})


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(top level)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against config.example.toml)"
    return f"{where}: {message}"


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (optional) and overlay secrets from ``env``."""
    env = os.environ if env is None else env
    label = "configuration" if path is None else str(path)
    data = {} if path is None else _read_toml(path)
    _overlay_environment(data, env, label)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{label}: {problems}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _table(data: dict[str, Any], section: str, label: str) -> dict[str, Any]:
    """The file's ``[section]``, made if absent; a key the file set to a plain value is named
    rather than crashed on when an environment variable must go inside it."""
    table = data.setdefault(section, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{label}: {section}: must be a table")
    return table


def _overlay_environment(data: dict[str, Any], env: Mapping[str, str], label: str) -> None:
    """Secrets, the database and a fleet process's shards come from the environment."""
    for variable, (section, key) in SECRET_ENV.items():
        if env.get(variable):
            _table(data, section, label)[key] = env[variable]
    if database := env.get("CLAIMDESK_DB"):
        # A PostgreSQL address or a SQLite file, whichever it is.
        storage = _table(data, "storage", label)
        if is_database_url(database):
            storage["url"] = database
        else:
            storage["path"] = database
            storage.pop("url", None)
    # Which shards this process runs: what sets apart the processes of a fleet that share one
    # config file ("0,1"; deploy/compose.yaml).
    if count := env.get("CLAIMDESK_DISCORD_SHARD_COUNT"):
        _table(data, "discord", label)["shard_count"] = count
    if ids := env.get("CLAIMDESK_DISCORD_SHARD_IDS"):
        _table(data, "discord", label)["shard_ids"] = [p.strip() for p in ids.split(",")]
    if model_path := env.get("CLAIMDESK_MODEL_PATH"):
        _table(data, "matching", label)["model_path"] = model_path


def default_config_path(env: Mapping[str, str] | None = None) -> Path | None:
    """CLAIMDESK_CONFIG, else ./config.toml if present, else none (defaults only)."""
    env = os.environ if env is None else env
    if env.get("CLAIMDESK_CONFIG"):
        return Path(env["CLAIMDESK_CONFIG"])
    local = Path("config.toml")
    return local if local.is_file() else None
