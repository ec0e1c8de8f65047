"""The command language under fuzz: whatever is typed, the answer is a reply or a refusal that
says what is wrong, never an unexpected error, and a refused command changes nothing stored."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.commands import CommandRunner
from bot.core.errors import ClaimdeskError
from tests.conftest import Desk

# Every table a command could write to.
TABLES = (
    "workspaces", "claims", "claim_tags", "sources", "history", "workspace_moderators",
    "workspace_settings", "subscriptions", "events", "deliveries", "embedding_queue",
)  # fmt: skip

HEADS = [
    "/claim search", "/claim show", "/claim add", "/claim source", "/claim verify",
    "/claim dispute", "/claim unverify", "/claim history", "/claim check", "/claim help",
    "/claim frobnicate", "/subscribe", "/subscribe claim", "/subscribe tag", "/subscribe all",
    "/unsubscribe claim", "/unsubscribe all", "/subscriptions", "/claimdesk status",
    "/claimdesk moderators add user", "/claimdesk moderators remove role",
    "/claimdesk moderators list", "search", "", "/",
]  # fmt: skip

# Values that broke the bot before, or sit at a boundary: Unicode and huge numbers, lone
# surrogates (undecodable argv bytes), links with mentions, FTS5 syntax, controls, bidi marks.
ODD = [
    "1", "0", "-1", "#2", "2.5", "²", "①", "٣", "9" * 400, "1e9", "0x1f", "\udcff",
    "https://example.org/a", "https://example.org/a\udcff", "https://example.org/a><!channel><x",
    "https://\u0435xample.com/", "javascript:alert(1)", "<!everyone>", "<@U1>", "\u202e",
    "\u200b", "\x00", "\x1b[31m", "NEAR(", '"', "*", "a*", "verified", "disputed", "unverified",
    "maybe", "supports", "refutes", "kursk", "café", "Київ", "x" * 1200, "",
]  # fmt: skip
OPTION_KEYS = [
    "status", "tag", "page", "claimant", "tags", "source", "stance", "date", "force", "note",
    "version", "delivery", "channel", "digest", "bogus",
]  # fmt: skip

argument = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=12),
    st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(OPTION_KEYS), st.sampled_from(ODD)),
    st.integers(min_value=-5, max_value=10**30).map(str),
)
odd = st.one_of(st.sampled_from(ODD), st.text(max_size=12))
words = st.lists(st.one_of(st.sampled_from(ODD), st.text(min_size=1, max_size=10)), max_size=8)
# Commands in their own shape, with odd values where the values go.
shaped = st.one_of(
    st.builds(
        "/claim add {} source:{} stance:{} date:{} tags:{}".format,
        words.map(" ".join), odd, odd, odd, odd,
    ),
    st.builds("/claim source {} {} stance:{} note:{}".format, odd, odd, odd, odd),
    st.builds("/claim {} {} {}".format, st.sampled_from(["verify", "dispute", "unverify"]),
              odd, words.map(" ".join)),
    st.builds("/claim {} {}".format, st.sampled_from(["show", "history"]), odd),
    st.builds("/claim search {} status:{} tag:{} page:{}".format,
              words.map(" ".join), odd, odd, odd),
    st.builds("/subscribe {} {} delivery:{} channel:{} digest:{}".format,
              st.sampled_from(["claim", "tag", "all"]), odd, odd, odd, odd),
    st.builds("/claimdesk moderators {} {} {}".format, st.sampled_from(["add", "remove"]),
              st.sampled_from(["role", "user"]), odd),
)  # fmt: skip
command_lines = st.one_of(
    shaped,
    st.builds(
        lambda head, args: " ".join([head, *args]),
        st.sampled_from(HEADS),
        st.lists(argument, max_size=6),
    ),
)


async def _stored(desk: Desk) -> dict[str, list[tuple[object, ...]]]:
    return {t: await desk.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


async def _seed(desk: Desk) -> None:
    if await desk.store.workspaces():
        return
    for text in (
        "Russian forces have regained full control of the Kursk region.",
        "North Korean troops fought alongside Russian forces in Kursk.",
    ):
        await desk.service.add_claim(desk.reporter, text, tags="kursk", force=True)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(line=command_lines, who=st.sampled_from(["reporter", "editor", "admin"]))
async def test_any_command_line_is_answered_or_refused_plainly(
    desk: Desk, line: str, who: str
) -> None:
    await _seed(desk)
    runner = CommandRunner(desk.service)
    actor = {
        "reporter": desk.reporter,
        "editor": desk.editor,
        "admin": desk.editor.model_copy(
            update={"is_workspace_admin": True, "can_manage_channels": True}
        ),
    }[who]
    before = await _stored(desk)
    try:
        await runner.run_line(actor, line)
    except ClaimdeskError as refusal:
        message = str(refusal)
        assert message.strip(), line
        message.encode("utf-8")  # sendable to Discord and Slack: no lone surrogate
        assert (await _stored(desk)) == before, f"{line!r} was refused but changed the store"
