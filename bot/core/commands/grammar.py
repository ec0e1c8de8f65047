"""Parse `/claim …` command lines into typed commands.

Grammar (words in <> are positional, [key:value] options may stand anywhere):
  /claim search <words> [status:…] [tag:…] [page:N]
  /claim show <id>
  /claim add <text> [claimant:…] [tags:a,b] [source:<url>] [stance:…] [date:YYYY-MM-DD] [force:yes]
  /claim source <id> <url> [stance:…] [note:…]
  /claim verify|dispute|unverify <id> <reason> [version:N]
  /claim history <id>
  /claim check <text>
  /claimdesk moderators list | add|remove role|user <id>
  /claimdesk status

Values of free-text options (claimant, note) run until the next option, so
``claimant:Vladimir Putin tags:kursk`` needs no quotes; other values are one word or "quoted".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import InvalidInput, without_surrogates
from bot.core.models import Status
from bot.core.validation import is_whole_number


@dataclass(frozen=True)
class Search:
    text: str
    status: str | None = None
    tag: str | None = None
    page: int = 1


@dataclass(frozen=True)
class Show:
    claim_id: str


@dataclass(frozen=True)
class Add:
    text: str
    claimant: str | None = None
    tags: str | None = None
    source: str | None = None
    stance: str | None = None
    date: str | None = None
    force: bool = False


@dataclass(frozen=True)
class AddSource:
    claim_id: str
    url: str
    stance: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ChangeStatus:
    claim_id: str
    status: Status
    reason: str
    version: int | None = None


@dataclass(frozen=True)
class History:
    claim_id: str


@dataclass(frozen=True)
class Check:
    text: str


@dataclass(frozen=True)
class Help:
    topic: str = ""


@dataclass(frozen=True)
class Moderators:
    action: str  # list | add | remove
    kind: str = "role"
    ref: str = ""


@dataclass(frozen=True)
class ShowStatus:
    """How Claimdesk matches right now: the model, and how many claims are embedded."""


@dataclass(frozen=True)
class Subscribe:
    scope: str
    target: str | None = None
    delivery: str = "dm"
    channel: str | None = None
    digest: str = "instant"


@dataclass(frozen=True)
class Unsubscribe:
    scope: str
    target: str | None = None


@dataclass(frozen=True)
class ListSubscriptions:
    pass


@dataclass(frozen=True)
class Lookup:
    text: str


@dataclass(frozen=True)
class ImportLookedUp:
    number: str


Command = (
    Search
    | Show
    | Add
    | AddSource
    | ChangeStatus
    | History
    | Check
    | Help
    | Moderators
    | ShowStatus
    | Subscribe
    | Unsubscribe
    | ListSubscriptions
    | Lookup
    | ImportLookedUp
)

USAGE = {
    "search": "/claim search <words> [status:verified|disputed|unverified] [tag:…] [page:N]",
    "show": "/claim show <id>",
    "add": "/claim add <text> [claimant:…] [tags:a,b] [source:<url>] [stance:…] [date:YYYY-MM-DD] [force:yes]",
    "source": "/claim source <id> <url> [stance:supports|refutes|context] [note:…]",
    "verify": "/claim verify <id> <reason>",
    "dispute": "/claim dispute <id> <reason>",
    "unverify": "/claim unverify <id> <reason>",
    "history": "/claim history <id>",
    "check": "/claim check <text>",
    "lookup": "/claim lookup <text>",
    "import": "/claim import <number>",
    "subscribe": "/subscribe claim <id> | tag <tag> | all [delivery:dm|channel] [channel:<id>] [digest:hourly|daily]",
    "unsubscribe": "/unsubscribe claim <id> | tag <tag> | all",
    "subscriptions": "/subscriptions",
    "moderators": "/claimdesk moderators list | add role <id> | remove role <id> | add user <id> | remove user <id>",
    "status": "/claimdesk status",
}

_OPTIONS: dict[str, tuple[set[str], set[str]]] = {
    # subcommand: (one-word options, free-text options)
    "search": ({"status", "tag", "page"}, set()),
    "add": ({"tags", "source", "stance", "date", "force"}, {"claimant"}),
    "source": ({"stance"}, {"note"}),
    "verify": ({"version"}, set()),
    "dispute": ({"version"}, set()),
    "unverify": ({"version"}, set()),
    "subscribe": ({"delivery", "channel", "digest"}, set()),
}

_TOKEN = re.compile(r'(?P<key>[a-z]+):(?:"(?P<qval>[^"]*)"|(?P<val>\S*))|(?P<word>"[^"]*"|\S+)')
_STATUS_VERBS = {
    "verify": Status.VERIFIED,
    "dispute": Status.DISPUTED,
    "unverify": Status.UNVERIFIED,
}


def _split(rest: str, sub: str) -> tuple[list[str], dict[str, str]]:
    single, free = _OPTIONS.get(sub, (set(), set()))
    words: list[str] = []
    options: dict[str, str] = {}
    current_free: str | None = None
    for match in _TOKEN.finditer(rest):
        key = match.group("key")
        if key is not None and (key in single or key in free):
            value = match.group("qval") if match.group("qval") is not None else match.group("val")
            if key in options:
                raise InvalidInput(f"The option {key}: is given twice.")
            options[key] = value or ""
            current_free = key if key in free and match.group("qval") is None else None
            continue
        token = match.group(0)
        if current_free is not None:
            options[current_free] = (options[current_free] + " " + token).strip()
        else:
            words.append(token)
    return words, options


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].strip()
    return text


def _need(words: list[str], count: int, sub: str) -> None:
    if len(words) < count:
        raise InvalidInput(f"Missing arguments. Usage: {USAGE[sub]}")


def _int_option(options: dict[str, str], key: str) -> int | None:
    if key not in options:
        return None
    value = options[key]
    if not is_whole_number(value):
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise InvalidInput(f"{key}: needs a whole number, not '{shown}'.")
    return int(value)


def _yes(value: str | None) -> bool:
    return (value or "").lower() in {"yes", "y", "true", "1"}


def parse(line: str) -> Command:
    """Parse one command line; the leading slash and the word 'claim' are optional."""
    text = without_surrogates(line).strip()
    head, _, rest = text.partition(" ")
    head = head.lstrip("/").lower()
    if head in ("", "help", "?"):
        return Help(rest.strip())
    if head == "claimdesk":
        return _parse_admin(rest)
    if head in ("subscribe", "unsubscribe", "subscriptions"):
        return _parse_subscription(head, rest)
    if head != "claim":
        # Allow "search kursk" in the console as a shorthand for "/claim search kursk".
        rest, head = text.lstrip("/"), "claim"
    sub, _, rest = rest.strip().partition(" ")
    sub = sub.lower()
    if sub in ("", "help"):
        return Help(rest.strip())
    if sub not in USAGE or sub in ("moderators", "subscribe", "unsubscribe", "subscriptions"):
        raise InvalidInput(f"Unknown command '{sub}'. Try /claim help.")
    words, options = _split(rest, sub)
    if sub == "search":
        return Search(
            text=" ".join(words),
            status=options.get("status"),
            tag=options.get("tag"),
            page=_int_option(options, "page") or 1,
        )
    if sub in ("show", "history"):
        _need(words, 1, sub)
        if len(words) > 1:
            raise InvalidInput(f"Too many arguments. Usage: {USAGE[sub]}")
        return Show(words[0]) if sub == "show" else History(words[0])
    if sub == "add":
        _need(words, 1, sub)
        return Add(
            text=_unquote(" ".join(words)),
            claimant=options.get("claimant"),
            tags=options.get("tags"),
            source=options.get("source"),
            stance=options.get("stance"),
            date=options.get("date"),
            force=_yes(options.get("force")),
        )
    if sub == "source":
        _need(words, 2, sub)
        if len(words) > 2:
            raise InvalidInput(
                f"Too many arguments: put the note after note: — usage: {USAGE[sub]}"
            )
        return AddSource(words[0], words[1], options.get("stance"), options.get("note"))
    if sub in _STATUS_VERBS:
        _need(words, 1, sub)
        return ChangeStatus(
            claim_id=words[0],
            status=_STATUS_VERBS[sub],
            reason=_unquote(" ".join(words[1:])),
            version=_int_option(options, "version"),
        )
    if sub == "lookup":
        _need(words, 1, sub)
        return Lookup(" ".join(words))
    if sub == "import":
        _need(words, 1, sub)
        if len(words) > 1:
            raise InvalidInput(f"Too many arguments. Usage: {USAGE[sub]}")
        return ImportLookedUp(words[0])
    _need(words, 1, sub)  # check
    return Check(" ".join(words))


def _parse_admin(rest: str) -> Command:
    parts = rest.split()
    if parts and parts[0].lower() == "status":
        return ShowStatus()
    if not parts or parts[0].lower() != "moderators":
        raise InvalidInput(f"Unknown command. Usage: {USAGE['moderators']} — or {USAGE['status']}")
    if len(parts) == 1 or parts[1].lower() == "list":
        return Moderators("list")
    if len(parts) != 4 or parts[1].lower() not in ("add", "remove"):
        raise InvalidInput(f"Usage: {USAGE['moderators']}")
    kind = parts[2].lower()
    if kind not in ("role", "user"):
        raise InvalidInput(f"Say 'role' or 'user', not '{parts[2]}'. Usage: {USAGE['moderators']}")
    return Moderators(parts[1].lower(), kind, parts[3])


def _parse_subscription(head: str, rest: str) -> Command:
    if head == "subscriptions":
        return ListSubscriptions()
    words, options = _split(rest, "subscribe" if head == "subscribe" else "")
    if not words:
        raise InvalidInput(f"Say what to follow. Usage: {USAGE[head]}")
    scope = words[0].lower()
    if scope not in ("claim", "tag", "all"):
        raise InvalidInput(
            f"Follow a claim, a tag, or all — not '{words[0]}'. Usage: {USAGE[head]}"
        )
    expected = 1 if scope == "all" else 2
    if len(words) != expected:
        raise InvalidInput(f"Usage: {USAGE[head]}")
    target = words[1] if scope != "all" else None
    if head == "unsubscribe":
        return Unsubscribe(scope, target)
    return Subscribe(
        scope,
        target,
        delivery=options.get("delivery", "dm"),
        channel=options.get("channel"),
        digest=options.get("digest", "instant"),
    )
