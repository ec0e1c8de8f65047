"""A local stand-in for Google's Fact Check Tools API (``claims:search``), on 127.0.0.1, with
the documented response shape, its errors, and its quota limit."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.core.lookup import Lookup
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.ports import Clock, Store
from bot.core.ratings import RatingTable
from bot.core.review_import import ReviewImporter
from bot.factcheck.google import GoogleFactCheck

GOOD_KEY = "AIzaTEST-good-key-0123456789"
PATH = "/v1alpha1/claims:search"


class FakeFactCheckTools:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.quota = 1000
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(PATH, self._search)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _search(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append(params)
        if params.get("key") != GOOD_KEY:
            return _error(
                400 if not params.get("key") else 403, "API key not valid.", "PERMISSION_DENIED"
            )
        if self.quota <= 0:
            return _error(429, "Quota exceeded for quota metric 'Queries'.", "RESOURCE_EXHAUSTED")
        self.quota -= 1
        if not params.get("query"):
            return _error(400, "Request contains an invalid argument.", "INVALID_ARGUMENT")
        found = [
            c
            for c in CLAIMS
            if any(w in c["text"].lower() for w in params["query"].lower().split())
        ]
        body: dict[str, Any] = {"claims": found[: int(params.get("pageSize", "10"))]}
        if found:
            body["nextPageToken"] = "CAo"
        return web.json_response(body)


def _error(code: int, message: str, status: str) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message, "status": status}}, status=code
    )


CLAIMS: list[dict[str, Any]] = [
    {
        "text": "North Korea sent thousands of troops to Kursk to fight for Russia.",
        "claimant": "South Korean intelligence",
        "claimDate": "2024-11-05T00:00:00Z",
        "claimReview": [
            {
                "publisher": {"name": "Example Checks", "site": "factcheck.example"},
                "url": "https://factcheck.example/nk-troops-kursk",
                "title": "Yes, North Korean soldiers are fighting in Kursk",
                "reviewDate": "2024-12-01T00:00:00Z",
                "textualRating": "True",
                "languageCode": "en",
            }
        ],
    },
    {
        "text": "Video shows Kursk nuclear plant on fire after drone strike.",
        "claimant": "Telegram channels",
        "claimDate": "2024-08-10T00:00:00Z",
        "claimReview": [
            {
                "publisher": {"name": "Verify Desk", "site": "verify.example"},
                "url": "https://verify.example/kursk-npp-video",
                "title": "Old footage, not the Kursk plant",
                "reviewDate": "2024-08-12T00:00:00Z",
                "textualRating": "False",
                "languageCode": "en",
            }
        ],
    },
]


def fake_lookup(store: Store, clock: Clock, fake: FakeFactCheckTools) -> Lookup:
    """The bot's lookup, with its real Google client pointed at ``fake``."""
    matcher = Matcher(store, SemanticModel(None, name="none"))
    importer = ReviewImporter(store, matcher, clock, RatingTable())
    return Lookup(GoogleFactCheck(GOOD_KEY, base=fake.base_url), importer, store, clock)
