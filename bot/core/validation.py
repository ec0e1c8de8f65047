"""Input checks shared by every entry point. Each raises InvalidInput with a message a user can act on."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bot.core.errors import InvalidInput
from bot.core.models import Stance, Status
from bot.core.presentation import shorten


@dataclass(frozen=True)
class Limits:
    """Lengths chosen so that a claim fits a Discord embed title area and a Slack section."""

    claim_text: int = 1000
    claim_text_min: int = 10
    claimant: int = 120
    tag: int = 40
    tags_per_claim: int = 10
    url: int = 2000
    note: int = 500
    reason: int = 500
    reason_min: int = 3
    query: int = 300
    # A whole chat message, for /claim check and "Check claims".
    message: int = 4000
    page_size: int = 10


_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


def clean_text(value: str) -> str:
    """Normalise Unicode and whitespace; control characters are dropped."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return re.sub(r"\s+", " ", value).strip()


def _bounded(value: str, *, field: str, maximum: int, minimum: int = 0) -> str:
    value = clean_text(value)
    if len(value) < max(minimum, 1) and minimum > 0:
        if not value:
            raise InvalidInput(f"The {field} is empty.")
        raise InvalidInput(
            f"The {field} is too short ({len(value)} characters; at least {minimum})."
        )
    if len(value) > maximum:
        raise InvalidInput(f"The {field} is too long ({len(value)} characters; at most {maximum}).")
    return value


def claim_text(value: str, limits: Limits) -> str:
    return _bounded(
        value, field="claim text", maximum=limits.claim_text, minimum=limits.claim_text_min
    )


def claimant(value: str | None, limits: Limits) -> str:
    return _bounded(value or "", field="claimant", maximum=limits.claimant)


def note(value: str | None, limits: Limits) -> str:
    return _bounded(value or "", field="note", maximum=limits.note)


def reason(value: str | None, limits: Limits) -> str:
    cleaned = clean_text(value or "")
    if not cleaned:
        raise InvalidInput(
            "A reason is required: say why the status changes (it goes into the history)."
        )
    return _bounded(cleaned, field="reason", maximum=limits.reason, minimum=limits.reason_min)


def query(value: str, limits: Limits) -> str:
    return _bounded(value, field="search text", maximum=limits.query)


_WORD = re.compile(r"[^\W_]", re.UNICODE)


def has_words(value: str) -> str:
    """Refuse text with nothing to look for (only punctuation, symbols or operators)."""
    if not _WORD.search(value):
        raise InvalidInput("There is nothing to search for: type at least one word.")
    return value


def message(value: str, limits: Limits) -> str:
    """A message to check against stored claims: any text with a word in it, up to a limit."""
    cleaned = clean_text(value)
    if not cleaned:
        raise InvalidInput("That message has no text to check.")
    if len(cleaned) > limits.message:
        raise InvalidInput(
            f"That message is too long to check ({len(cleaned):,} characters; at most "
            f"{limits.message:,}). Check the part that makes the claim."
        )
    return has_words(cleaned)


def tag(value: str, limits: Limits) -> str:
    cleaned = clean_text(value).lower().lstrip("#").replace(" ", "-").replace("_", "-")
    if not cleaned:
        raise InvalidInput("A tag is empty.")
    if len(cleaned) > limits.tag:
        raise InvalidInput(
            f"The tag '{cleaned[: limits.tag]}…' is too long (at most {limits.tag})."
        )
    if not _TAG_RE.match(cleaned):
        raise InvalidInput(
            f"The tag '{cleaned}' may only use letters a-z, digits and '-' (for example: north-korea)."
        )
    return cleaned


def tags(values: list[str] | tuple[str, ...] | str | None, limits: Limits) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    result: list[str] = []
    for raw in values:
        t = tag(raw, limits)
        if t not in result:
            result.append(t)
    if len(result) > limits.tags_per_claim:
        raise InvalidInput(f"Too many tags ({len(result)}; at most {limits.tags_per_claim}).")
    return tuple(result)


def status(value: str | Status) -> Status:
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise InvalidInput(f"Unknown status '{value}'. Use one of: {allowed}.") from None


def stance(value: str | Stance | None) -> Stance:
    if value is None or str(value).strip() == "":
        return Stance.CONTEXT
    try:
        return Stance(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Stance)
        raise InvalidInput(f"Unknown stance '{value}'. Use one of: {allowed}.") from None


def claimed_on(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _DATE_RE.match(value):
        raise InvalidInput(f"The date '{value}' is not YYYY, YYYY-MM or YYYY-MM-DD.")
    return value


# The last page a listing (a search, the queue, a claim's requests) may be asked for.
MAX_PAGE = 1000


def page(number: int) -> int:
    if not 1 <= number <= MAX_PAGE:
        raise InvalidInput(f"Page {number} is out of range (1 to {MAX_PAGE}).")
    return number


def is_whole_number(text: str, *, digits: int = 9) -> bool:
    """ASCII digits only, and not too many: "²", "①" or a thousand digits are not numbers a
    person means (``str.isdigit`` accepts the first two, which ``int`` then refuses)."""
    return text.isascii() and text.isdecimal() and len(text) <= digits


def claim_id(value: str | int) -> int:
    text = str(value).strip().lstrip("#")
    if not is_whole_number(text) or int(text) < 1:
        shown = str(value) if len(str(value)) <= 20 else str(value)[:20] + "…"
        raise InvalidInput(f"'{shown}' is not a claim id. Claim ids look like #12.")
    return int(text)


def check_id(value: str | int) -> int:
    text = str(value).strip().lstrip("#")
    if not is_whole_number(text, digits=12) or int(text) < 1:
        shown = str(value) if len(str(value)) <= 20 else str(value)[:20] + "…"
        raise InvalidInput(f"'{shown}' is not a check id: each check's answer gives its own.")
    return int(text)


def url(value: str, limits: Limits) -> str:
    """Accept only absolute http(s) URLs with a real host name; returns the URL as given, but
    with an internationalised host name in punycode."""
    value = (value or "").strip().strip("<>")
    if not value:
        raise InvalidInput("The source URL is empty.")
    if len(value) > limits.url:
        raise InvalidInput(f"The URL is too long ({len(value)} characters; at most {limits.url}).")
    if any(ch.isspace() for ch in value):
        raise InvalidInput(
            "The URL contains spaces; paste the link exactly as the browser shows it."
        )
    if any(ch in '<>|"' for ch in value):
        raise InvalidInput(
            'The URL contains <, >, | or ": paste the link exactly as the browser shows it.'
        )
    if any(unicodedata.category(ch)[0] == "C" or ch == "\ufffd" for ch in value):
        # Controls, zero-width and bidi marks hide what a link really is; lone surrogates (and
        # U+FFFD, which stands for them) are bytes that were never text.
        raise InvalidInput(
            "The URL contains invisible or control characters; paste the link exactly as the "
            "browser shows it."
        )
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise InvalidInput(f"'{value}' is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput(
            f"'{value}' is not a web link: sources must start with http:// or https://."
        )
    if parts.username or parts.password:
        raise InvalidInput("Source URLs must not contain a user name or password.")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidInput(f"'{value}' has an invalid host name.") from None
    if not _HOST_RE.match(ascii_host):
        raise InvalidInput(
            f"'{value}' has no valid host name (for example: https://www.example.org/story)."
        )
    if ascii_host != host:
        # An internationalised host is kept and shown in punycode, so that a look-alike
        # (Cyrillic е for Latin e) is visible: https://xn--xample-2of.com/, not еxample.com.
        netloc = ascii_host + (f":{parts.port}" if parts.port is not None else "")
        value = urlunsplit(parts._replace(netloc=netloc))
    return value


def outlet_from_url(value: str) -> str:
    host = (urlsplit(value).hostname or "").lower()
    return host.removeprefix("www.")


# What a platform's ids are made of: Discord's numbers, Slack's U0ABC123, the console's
# console:rita. Nothing that could close a mention or a link when shown.
_PLATFORM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")


def platform_id(value: str, *, what: str) -> str:
    """A role, user or channel id as given, or a refusal that says what an id looks like."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Name one {what} (mention it, or paste its id).")
    if not _PLATFORM_ID.match(value):
        raise InvalidInput(
            f"'{shorten(value, 40)}' is not a {what}: ids are letters and digits "
            "(mention it, or paste its id)."
        )
    return value
