"""Configuration errors name the bad key; secrets come from the environment and never leak."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.logging_setup import RedactSecrets, configure_logging
from tests.conftest import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_complete() -> None:
    config = load_config(REPO / "config.example.toml", env={})
    assert config.discord.token is None
    assert config.console.workspace == "local"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[discord]\ntest_guild_id = 'abc'\n",
            "discord.test_guild_id: Input should be a valid integer",
        ),
        ("[discord]\ntest_guild = 1\n", "discord.test_guild: unknown key"),
        ("[slack]\nmode = 'carrier-pigeon'\n", "slack.mode: Input should be 'socket' or 'http'"),
        (
            "[slack]\nhttp_port = 70000\n",
            "slack.http_port: Input should be less than or equal to 65535",
        ),
        ("[console]\nworkspace = 'has space'\n", "console.workspace: String should match pattern"),
        (
            "[workspaces.'discord:1']\nmoderator_roles = 'editors'\n",
            "workspaces.discord:1.moderator_roles: Input should be a valid list",
        ),
        ("[storage\npath = 1", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    assert message in str(caught.value)
    assert str(tmp_path / "config.toml") in str(caught.value)


def test_secrets_from_environment_are_hidden_in_repr(tmp_path: Path) -> None:
    token = "MTIz.fake-discord-token.abcdef"
    config = load_config(
        write(tmp_path, "[discord]\ntest_guild_id = 5\n"), env={"DISCORD_TOKEN": token}
    )
    assert config.discord.token is not None
    assert config.discord.token.get_secret_value() == token
    assert token not in repr(config)
    assert token not in str(config.model_dump())


def test_moderators_from_config(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "[workspaces.'slack:T1']\nmoderator_users = ['U1', 'U2']\n"), env={}
    )
    assert config.moderators()["slack:T1"].user_ids == {"U1", "U2"}


def test_log_records_never_carry_a_token(caplog: pytest.LogCaptureFixture) -> None:
    token = "xoxb-1234-secret-token"
    logger = logging.getLogger("test.redact")
    handler = logging.Handler()
    records: list[logging.LogRecord] = []
    handler.emit = records.append  # type: ignore[method-assign,assignment]
    handler.addFilter(RedactSecrets([token]))
    logger.addHandler(handler)
    try:
        logger.warning("connecting with %s", token)
    finally:
        logger.removeHandler(handler)
    assert records[0].getMessage() == "connecting with [redacted]"


def test_a_token_inside_a_traceback_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    token = "xoxb-9876-secret-token"
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    configure_logging("INFO", [token])
    try:
        try:
            raise RuntimeError(f"the API refused {token}")
        except RuntimeError:
            logging.getLogger("test.traceback").exception("Slack could not be reached")
    finally:
        root.handlers[:], root.level = kept[0], kept[1]
    err = capsys.readouterr().err
    assert "Slack could not be reached" in err
    assert "RuntimeError: the API refused [redacted]" in err
    assert token not in err
