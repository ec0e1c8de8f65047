"""Parse `/claim …` command lines into typed commands.

Grammar (words in <> are positional and come first, then the [key:value] options):
  /claim search <words> [status:…] [tag:…] [page:N]
  /claim show <id>
  /claim add <text> [claimant:…] [tags:a,b] [source:<url>] [stance:…] [date:YYYY-MM-DD] [force:yes]
  /claim source <id> <url> [stance:…] [note:…]
  /claim verify|dispute|unverify <id> <reason> [version:N]
  /claim history <id>
  /claim check <text>
  /claim queue [mine|unassigned] [tag:…] [status:…] [page:N]
  /claim requests <id> [page:N]
  /claim assign <id> [to:<member>]   /claim unassign <id>
  /claim send <check id>   (a message no claim matched, sent to the desk)
  /claimdesk moderators list | add|remove role|user <id>
  /claimdesk status

Values of free-text options (claimant, note) run until the next option, so
``claimant:Vladimir Putin tags:kursk`` needs no quotes; other values are one word or hold
"quoted parts" (``tags:"local politics",budget``). In a command that stores what it is given
(add, source, verify, dispute, unverify) a word after a one-word option is refused with the fix,
never added to the text: the history is append-only. A search may mix words and options.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.errors import InvalidInput, without_surrogates
from bot.core.models import Status, Verdict
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
    # As typed: a list from the console's tags:a,"b c", one string from a Discord option.
    tags: tuple[str, ...] | str | None = None
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
    link: str | None = None  # where the message is, when the platform says (Discord's link)
    channel: str | None = None  # where it was asked, when the platform says
    # A member asking (a request on what it finds); a script's check (claimdesk check) is not.
    by_a_member: bool = True


@dataclass(frozen=True)
class GiveVerdict:
    """A member's word on a check's match: "yes, this one" or "not this one"."""

    check_id: str
    claim_id: str
    verdict: Verdict


@dataclass(frozen=True)
class Queue:
    """The desk's open claims, most wanted first."""

    view: str = "open"  # open | mine | unassigned
    tag: str | None = None
    status: str | None = None
    page: int = 1


@dataclass(frozen=True)
class Requests:
    """Who asked about a claim."""

    claim_id: str
    page: int = 1


@dataclass(frozen=True)
class Assign:
    """Put a member on a claim (no member: the one asking takes it)."""

    claim_id: str
    to_id: str | None = None
    to_name: str | None = None


@dataclass(frozen=True)
class Unassign:
    claim_id: str


@dataclass(frozen=True)
class SendToDesk:
    """A check that matched nothing: its message becomes a new claim."""

    check_id: str


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


# Commands a front end's widgets send (autocomplete, a button before its form, a setting's
# picker): they have no text form, but run through the same runner and rules as the rest.
@dataclass(frozen=True)
class SuggestClaims:
    """Claims for an autocomplete box: an id, words (the last one a prefix), or the newest."""

    text: str
    limit: int = 25


@dataclass(frozen=True)
class SuggestTags:
    prefix: str
    limit: int = 25


@dataclass(frozen=True)
class MayChange:
    """Whether the actor may change this claim at this revision, asked before the reason form."""

    claim_id: str
    version: int


@dataclass(frozen=True)
class SetNoticeChannel:
    """Where Claimdesk tells members, once, that it cannot DM them (None: nowhere)."""

    channel_id: str | None


Command = (
    Search
    | Show
    | Add
    | AddSource
    | ChangeStatus
    | History
    | Check
    | GiveVerdict
    | Queue
    | Requests
    | Assign
    | Unassign
    | SendToDesk
    | Help
    | Moderators
    | ShowStatus
    | Subscribe
    | Unsubscribe
    | ListSubscriptions
    | Lookup
    | ImportLookedUp
    | SuggestClaims
    | SuggestTags
    | MayChange
    | SetNoticeChannel
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
    "confirm": "/claim confirm <check id> <claim id>",
    "reject": "/claim reject <check id> <claim id>",
    "queue": "/claim queue [mine|unassigned] [tag:…] [status:…] [page:N]",
    "requests": "/claim requests <id> [page:N]",
    "assign": "/claim assign <id> [to:<member>]",
    "unassign": "/claim unassign <id>",
    "send": "/claim send <check id>",
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
    "queue": ({"tag", "status", "page"}, set()),
    "requests": ({"page"}, set()),
    "assign": ({"to"}, set()),
}

# An option is ``key:value``; a value is one word, or has "quoted parts" where it holds spaces
# (``tags:"local politics",budget``). Anything else is a word.
_TOKEN = re.compile(r'(?P<key>[a-z]+):(?P<value>(?:"[^"]*"|\S)*)|(?P<word>"[^"]*"|\S+)')
_STATUS_VERBS = {
    "verify": Status.VERIFIED,
    "dispute": Status.DISPUTED,
    "unverify": Status.UNVERIFIED,
}
# Commands whose words are stored for good (a claim's text, a source, a reason in the append-only
# history): here every word must stand before the options or inside one, never after a one-word
# option, where it would silently land in the text. Searches and checks store nothing.
_STORED = {"add", "source", "verify", "dispute", "unverify"}
# Where the positional words of a stored command go, for the refusal that says where to put them.
_POSITIONAL = {
    "add": "the claim's text",
    "source": "the claim and the link",
    "verify": "the reason",
    "dispute": "the reason",
    "unverify": "the reason",
}


@dataclass(frozen=True)
class _Option:
    value: str  # quotes taken out
    raw: str  # as typed, for a list option whose quoted items hold commas or spaces
    quoted: bool


def _split(rest: str, sub: str) -> tuple[list[str], dict[str, _Option]]:
    single, free = _OPTIONS.get(sub, (set(), set()))
    words: list[str] = []
    options: dict[str, _Option] = {}
    current_free: str | None = None  # an unquoted free-text option takes the words after it
    after: str | None = None  # the last option given, once any was
    stray: list[str] = []
    for match in _TOKEN.finditer(rest):
        key = match.group("key")
        if key is not None and (key in single or key in free):
            if key in options:
                raise InvalidInput(f"The option {key}: is given twice.")
            if stray:
                raise _stray_words(sub, after, options, stray)
            raw = match.group("value")
            if raw.count('"') % 2:
                raise InvalidInput(f'The value of {key}: opens a quote (") that is never closed.')
            options[key] = _Option(raw.replace('"', ""), raw, '"' in raw)
            current_free = key if key in free and '"' not in raw else None
            after = key
            continue
        token = match.group(0)
        if current_free is not None:
            option = options[current_free]
            value = (option.value + " " + token).strip()
            options[current_free] = _Option(value, value, quoted=False)
        elif after is not None and sub in _STORED:
            stray.append(token)
        else:
            words.append(token)
    if stray:
        raise _stray_words(sub, after, options, stray)
    return words, options


def _stray_words(
    sub: str, after: str | None, options: dict[str, _Option], stray: list[str]
) -> InvalidInput:
    """The refusal for words typed after a one-word option: they would have gone into the
    stored text unannounced. It says what to type instead."""
    assert after is not None
    words = " ".join(stray)
    given = options[after].raw
    lead = f"“{words}” comes after {after}:{given} but is not part of it, so nothing was changed."
    place = f"put {_POSITIONAL[sub]} before the options"
    if not given:
        return InvalidInput(
            f"{lead} Write a value right after its colon, with no space: {after}:{stray[0]}"
        )
    if after == "source":
        return InvalidInput(
            f"{lead} A link cannot contain spaces (write a space inside a link as %20); if "
            f"“{words}” belongs elsewhere, {place}."
        )
    if after == "tags":
        items = [t.strip() for t in f"{options[after].value} {words}".split(",") if t.strip()]
        fixed = ",".join(f'"{t}"' if " " in t else t for t in items)
        return InvalidInput(
            f"{lead} A tag with a space needs quotes: tags:{fixed}. Otherwise {place}."
        )
    if options[after].quoted:
        return InvalidInput(f"{lead} Keep the words of {after}: inside its quotes, or {place}.")
    return InvalidInput(f"{lead} {place[0].upper()}{place[1:]}.")


def _unquote(text: str) -> str:
    """The text without the quotes around it, when it is one quoted whole."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1].strip()
    return text


def _values(options: dict[str, _Option]) -> dict[str, str]:
    return {key: option.value for key, option in options.items()}


def _list_option(option: _Option | None) -> tuple[str, ...] | None:
    """A comma-separated value; an item in quotes keeps its commas and spaces."""
    if option is None:
        return None
    items = re.findall(r'"([^"]*)"|([^,"]+)', option.raw)
    return tuple(item for pair in items for part in pair if (item := part.strip()))


def _source_too_long(words: list[str]) -> InvalidInput:
    """`/claim source` takes a claim and one link: more words are a link with spaces or a
    note without its note:."""
    claim, link, *more = words
    rest = " ".join(more)
    if "://" in link:
        return InvalidInput(
            f"A link cannot contain spaces: “{link} {rest}” — write a space inside a link as "
            f"%20. If “{rest}” is a note, put it after note:, e.g. "
            f"/claim source {claim} {link} note:{rest}"
        )
    return InvalidInput(f"Too many arguments: a note goes after note:. Usage: {USAGE['source']}")


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
    if sub not in _CLAIM_COMMANDS:
        raise InvalidInput(f"Unknown command '{sub}'. Try /claim help.")
    words, typed = _split(rest, sub)
    return _CLAIM_COMMANDS[sub](_Typed(sub, words, typed))


@dataclass(frozen=True)
class _Typed:
    """A /claim subcommand's words and options, as _split left them."""

    sub: str
    words: list[str]
    typed: dict[str, _Option]

    @property
    def options(self) -> dict[str, str]:
        return _values(self.typed)

    def need(self, count: int, *, most: int | None = None) -> None:
        _need(self.words, count, self.sub)
        if most is not None and len(self.words) > most:
            raise InvalidInput(f"Too many arguments. Usage: {USAGE[self.sub]}")


def _search(t: _Typed) -> Command:
    options = t.options
    return Search(
        text=" ".join(t.words),
        status=options.get("status"),
        tag=options.get("tag"),
        page=_int_option(options, "page") or 1,
    )


def _show(t: _Typed) -> Command:
    t.need(1, most=1)
    return Show(t.words[0])


def _history(t: _Typed) -> Command:
    t.need(1, most=1)
    return History(t.words[0])


def _add(t: _Typed) -> Command:
    t.need(1)
    options = t.options
    return Add(
        text=_unquote(" ".join(t.words)),
        claimant=options.get("claimant"),
        tags=_list_option(t.typed.get("tags")),
        source=options.get("source"),
        stance=options.get("stance"),
        date=options.get("date"),
        force=_yes(options.get("force")),
    )


def _source(t: _Typed) -> Command:
    t.need(2)
    if len(t.words) > 2:
        raise _source_too_long(t.words)
    options = t.options
    return AddSource(t.words[0], t.words[1], options.get("stance"), options.get("note"))


def _change_status(t: _Typed) -> Command:
    t.need(1)
    return ChangeStatus(
        claim_id=t.words[0],
        status=_STATUS_VERBS[t.sub],
        reason=_unquote(" ".join(t.words[1:])),
        version=_int_option(t.options, "version"),
    )


def _lookup(t: _Typed) -> Command:
    t.need(1)
    return Lookup(" ".join(t.words))


def _import(t: _Typed) -> Command:
    t.need(1, most=1)
    return ImportLookedUp(t.words[0])


def _check(t: _Typed) -> Command:
    t.need(1)
    return Check(" ".join(t.words))


def _verdict(t: _Typed) -> Command:
    t.need(2, most=2)
    verdict = Verdict.CONFIRMED if t.sub == "confirm" else Verdict.REJECTED
    return GiveVerdict(t.words[0], t.words[1], verdict)


def _queue(t: _Typed) -> Command:
    t.need(0, most=1)
    options = t.options
    return Queue(
        view=t.words[0].lower() if t.words else "open",
        tag=options.get("tag"),
        status=options.get("status"),
        page=_int_option(options, "page") or 1,
    )


def _requests(t: _Typed) -> Command:
    t.need(1, most=1)
    return Requests(t.words[0], page=_int_option(t.options, "page") or 1)


# A member as a chat writes one: Slack's <@U123|name> or <@U123>, Discord's <@123> or <@!123>,
# or a name (the console's members are their names).
_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|([^>]*))?>$")


def member_of(value: str) -> tuple[str, str]:
    """(id, name) of a member named in a command; the name is the id where the mention gives
    none (a front end that can look it up does)."""
    value = value.strip()
    found = _MENTION.match(value)
    if found:
        return found[1], (found[2] or found[1]).strip() or found[1]
    name = value.lstrip("@")
    return name, name


def _assign(t: _Typed) -> Command:
    t.need(1, most=1)
    to = t.options.get("to")
    if to is None:
        return Assign(t.words[0])
    if not to.strip():
        raise InvalidInput("Say who after to: (mention them), or leave it out to take it yourself.")
    to_id, to_name = member_of(to)
    return Assign(t.words[0], to_id, to_name)


def _unassign(t: _Typed) -> Command:
    t.need(1, most=1)
    return Unassign(t.words[0])


def _send(t: _Typed) -> Command:
    t.need(1, most=1)
    return SendToDesk(t.words[0])


_CLAIM_COMMANDS: dict[str, Callable[[_Typed], Command]] = {
    "search": _search,
    "show": _show,
    "history": _history,
    "add": _add,
    "source": _source,
    **dict.fromkeys(_STATUS_VERBS, _change_status),
    "lookup": _lookup,
    "import": _import,
    "check": _check,
    "confirm": _verdict,
    "reject": _verdict,
    "queue": _queue,
    "requests": _requests,
    "assign": _assign,
    "unassign": _unassign,
    "send": _send,
}


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
    words, typed = _split(rest, "subscribe" if head == "subscribe" else "")
    options = _values(typed)
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
