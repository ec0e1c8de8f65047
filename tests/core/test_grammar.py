from __future__ import annotations

import pytest

from bot.core.commands import grammar as g
from bot.core.errors import InvalidInput
from bot.core.models import Status


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/claim search kursk status:disputed", g.Search("kursk", status="disputed")),
        (
            '/claim search "full control" kursk tag:russia page:2',
            g.Search('"full control" kursk', tag="russia", page=2),
        ),
        ("search kursk", g.Search("kursk")),
        ("/claim show #12", g.Show("#12")),
        (
            "/claim add Kursk is fully under Russian control claimant:Vladimir Putin tags:kursk,russia date:2025-04",
            g.Add(
                "Kursk is fully under Russian control",
                claimant="Vladimir Putin",
                tags=("kursk", "russia"),
                date="2025-04",
            ),
        ),
        (
            '/claim add "It\'s over" claimant:"A B" force:yes',
            g.Add("It's over", claimant="A B", force=True),
        ),
        (
            "/claim source 3 https://x.example.com/a?b=c stance:refutes note:Minutes of 3 May",
            g.AddSource("3", "https://x.example.com/a?b=c", "refutes", "Minutes of 3 May"),
        ),
        (
            "/claim dispute 3 Ukraine denies it version:4",
            g.ChangeStatus("3", Status.DISPUTED, "Ukraine denies it", 4),
        ),
        ("/claim unverify 3", g.ChangeStatus("3", Status.UNVERIFIED, "")),
        ("/claim history 3", g.History("3")),
        ("/claimdesk moderators add role 123", g.Moderators("add", "role", "123")),
        ("/claimdesk moderators", g.Moderators("list")),
        ("help", g.Help("")),
    ],
)
def test_parse(line: str, expected: g.Command) -> None:
    assert g.parse(line) == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/claim show", "Missing arguments. Usage: /claim show <id>"),
        ("/claim show 1 2", "Too many arguments"),
        ("/claim search x page:two", "page: needs a whole number, not 'two'"),
        ("/claim search x status:a status:b", "status: is given twice"),
        ("/claim source 1", "Usage: /claim source <id> <url>"),
        ("/claim nope", "Unknown command 'nope'"),
        ("/claimdesk moderators add team 1", "Say 'role' or 'user'"),
    ],
)
def test_parse_errors(line: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        g.parse(line)
    assert message in str(caught.value)
