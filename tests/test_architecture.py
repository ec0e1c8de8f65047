"""The map of the code (docs/architecture.md, linked from the README) names every module, and
the store's ports divide the store between them: a module added without a line in the map, or a
store method that no port names, fails here. So does a command without its handler in the
CommandRunner, or a reply that a text front end cannot render: those are chosen by type, and a
missing one would otherwise surface only when a member first used it."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from bot.adapters.console.render import render
from bot.adapters.slack.blocks import reply_blocks
from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.commands.execute import CommandRunner
from bot.core.ports import stores

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "architecture.md"
# A map line names a folder or module at its indent; continuation lines start at this column.
_TEXT_COLUMN = 21
_ENTRY = re.compile(r"^( +)(\S+)")
_MODULE = re.compile(r"[\w.+]+\.py")


def _map_entries() -> dict[str, str]:
    """Each entry of the map (a folder like "store/sqlite/" or a module like "runtime.py", relative
    to bot/) with all the text written beside it."""
    text = MAP.read_text(encoding="utf-8")
    block = text.split("```\nbot/\n", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    parents: list[tuple[int, str]] = []
    current = ""
    for line in block.splitlines():
        match = _ENTRY.match(line)
        if match is None or len(match.group(1)) >= _TEXT_COLUMN:
            entries[current] += " " + line.strip()
            continue
        indent, name = len(match.group(1)), match.group(2).rstrip(",")
        while parents and parents[-1][0] >= indent:
            parents.pop()
        prefix = parents[-1][1] if parents else ""
        current = prefix + name
        entries[current] = line[indent + len(match.group(2)) :]
        if name.endswith("/"):
            parents.append((indent, current))
    return entries


def _modules() -> list[str]:
    package = ROOT / "bot"
    return sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if path.name not in {"__init__.py", "__main__.py"}
    )


def test_the_map_of_the_code_names_every_module() -> None:
    entries = _map_entries()
    unnamed = []
    for module in _modules():
        if module in entries:
            continue
        # The deepest folder of the map that holds the module: its lines must name it.
        folder = max(
            (entry for entry in entries if entry.endswith("/") and module.startswith(entry)),
            key=len,
            default="",
        )
        named_in = " ".join(text for entry, text in entries.items() if entry.startswith(folder))
        if module.rpartition("/")[2] not in _MODULE.findall(named_in):
            unnamed.append(module)
    assert not unnamed, f"docs/architecture.md does not name: {', '.join(unnamed)}"


def test_every_store_method_belongs_to_one_port() -> None:
    ports = [
        stores.ClaimReader,
        stores.ClaimWriter,
        stores.ArchiveStore,
        stores.SearchIndex,
        stores.EmbeddingStore,
        stores.AuditStore,
        stores.SettingsStore,
        stores.SubscriptionStore,
        stores.OutboxStore,
        stores.CheckStore,
        stores.QueueStore,
        stores.StoreLifecycle,
    ]
    owners: dict[str, list[str]] = {}
    for port in ports:
        for name in _own_methods(port):
            owners.setdefault(name, []).append(port.__name__)
    shared = {name: names for name, names in owners.items() if len(names) > 1}
    assert not shared, f"methods in more than one port: {shared}"
    assert set(owners) == set(_own_methods(stores.Store))


def _own_methods(port: type) -> set[str]:
    names: set[str] = set()
    for klass in port.__mro__:
        if klass is object or not getattr(klass, "_is_protocol", False):
            continue
        names |= {
            name
            for name, value in vars(klass).items()
            if not name.startswith("_") and (callable(value) or isinstance(value, property))
        }
    return names


def test_every_command_has_a_handler() -> None:
    handled = CommandRunner.__dict__["_handle"].dispatcher.registry
    missing = [c.__name__ for c in typing.get_args(g.Command) if c not in handled]
    assert not missing, f"CommandRunner has no handler for {missing}"


@pytest.mark.parametrize(
    ("front_end", "registry"),
    [("console", render.registry), ("slack", reply_blocks.registry)],
)
def test_every_reply_has_a_renderer(front_end: str, registry: typing.Mapping[type, object]) -> None:
    missing = [c.__name__ for c in typing.get_args(r.Reply) if c not in registry]
    assert not missing, f"the {front_end} front end cannot render {missing}"
