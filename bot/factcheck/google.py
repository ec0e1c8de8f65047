"""Google's Fact Check Tools API (``claims:search``) as the core's FactCheckSearch.

Documented at https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search:
``GET /v1alpha1/claims:search?query=…&key=…`` answers ``{"claims": [{"text", "claimant",
"claimDate", "claimReview": [{"publisher": {"name", "site"}, "url", "title", "reviewDate",
"textualRating", "languageCode"}]}], "nextPageToken"}``; errors come as ``{"error": {"code",
"message", "status"}}``. The key is sent as a parameter and never appears in a message or a log
line of ours.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.claimreview.reader import reviews_from_google
from bot.core.errors import LookupFailed
from bot.core.reviews import Review

DEFAULT_BASE = "https://factchecktools.googleapis.com"
TIMEOUT_SECONDS = 8.0


class GoogleFactCheck:
    def __init__(self, api_key: str, *, base: str = DEFAULT_BASE, language: str = "") -> None:
        self._key = api_key
        self._url = base.rstrip("/") + "/v1alpha1/claims:search"
        self._language = language

    async def search(self, text: str, *, limit: int) -> list[Review]:
        params = {"query": text, "pageSize": str(limit), "key": self._key}
        if self._language:
            params["languageCode"] = self._language
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(self._url, params=params) as response,
            ):
                body: Any = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise LookupFailed(
                f"Google's Fact Check Tools cannot be reached right now ({type(error).__name__});"
                " try again in a moment."
            ) from None
        if status != 200:
            raise LookupFailed(_explain(status, body))
        claims = body.get("claims", []) if isinstance(body, dict) else []
        return [
            r
            for r in reviews_from_google(claims, "Google Fact Check Tools")
            if isinstance(r, Review)
        ]


def _explain(status: int, body: Any) -> str:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    reason = str(error.get("status", "")) if isinstance(error, dict) else ""
    if status == 429 or reason == "RESOURCE_EXHAUSTED":
        return "Google's Fact Check Tools quota is used up for now; try again later."
    if status in (401, 403) or reason in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
        return (
            "Google refused the Fact Check Tools API key (GOOGLE_FACTCHECK_API_KEY): check that "
            "it is valid and that the Fact Check Tools API is enabled for its project."
        )
    if status == 400:
        return "Google's Fact Check Tools could not search for that text; try other words."
    return f"Google's Fact Check Tools answered with an error ({status}); try again later."
