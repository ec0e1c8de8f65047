"""The static site in a real browser: headless Chromium (Debian's package) loads each page from
a server on 127.0.0.1; the page renders the claim, and the JSON-LD read back from the rendered
DOM equals what `claimdesk export claimreview` writes."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.claimreview.reader import json_ld_blocks
from bot.cli import main
from tests.claimreview.test_export import _desk

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root, in a closed network: no sandbox, no background connections (see the README).
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=2000", "--dump-dom",
]  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = tmp_path / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _rendered(url: str, profile: Path) -> str:
    assert CHROMIUM, "Chromium is missing: the test command installs it (see the README)"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    return done.stdout


def test_each_page_renders_and_carries_the_exported_claimreview(
    tmp_path: Path, served: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    site, base = served
    config, db = _desk(tmp_path)
    args = ["--config", str(config), "--db", str(db), "export"]
    assert main([*args, "site", str(site)]) == 0
    assert "Wrote a site of 2 claim pages" in capsys.readouterr().out
    assert main([*args, "claimreview"]) == 0
    exported = {r["url"].rsplit("/", 1)[-1]: r for r in json.loads(capsys.readouterr().out)}
    assert exported  # the verified and disputed claims

    index = _rendered(f"{base}/index.html", tmp_path / "profile")
    assert "Kursk Desk: fact checks" in index
    linked = sorted(set(re.findall(r'href="claims/(\d+\.html)"', index)))
    assert linked == sorted(exported)

    for page, review in exported.items():
        dom = _rendered(f"{base}/claims/{page}", tmp_path / "profile")
        [json_ld] = json_ld_blocks(dom)
        assert json.loads(json_ld) == review
        assert (
            f"<h1>{review['claimReviewed']}</h1>".replace("'", "&#x27;")
            in dom.replace("&#39;", "&#x27;")
            or review["claimReviewed"] in dom
        )
        assert review["reviewRating"]["alternateName"] in ("True", "False")
        # The whole history, read as the browser rendered it: every entry, oldest first.
        entries = _history_entries(dom)
        assert entries[0].startswith("claim added") or "claim added" in entries[0]
        assert entries[0].endswith("by Claimdesk seed import")
        assert any(
            f"→ {'verified' if page == '5.html' else 'disputed'}: {review['reviewBody']}" in e
            and e.endswith("by Ed")
            for e in entries
        ), entries
        assert len(entries) >= 3  # added, its article as a source, the desk's verdict


def _history_entries(dom: str) -> list[str]:
    """The text of each item of the page's History list, tags taken out."""
    found = re.search(r"<h2>History</h2>\s*<ul>(.*?)</ul>", dom, re.S)
    assert found, "no History list on the page"
    items = re.findall(r"<li>(.*?)</li>", found[1], re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in items]
