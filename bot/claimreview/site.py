"""`claimdesk export site DIR`: the desk's published checks as a static site.

An index, and one page per claim (its status and the reason, its sources, its whole history)
with the claim's ClaimReview JSON-LD embedded, exactly as `claimdesk export claimreview` writes
it, so search engines read the verdict from the page. Plain HTML and a little CSS, readable on
a phone; any static host serves it. Every value is escaped (the JSON-LD too: ``</`` cannot end
its script).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

from bot.core.presentation import STATUS_BADGE, STATUS_LABEL, describe_entry
from bot.core.publishing import Newsroom, Published, claim_review

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;color:#222}
h1{font-size:1.4rem;line-height:1.3}a{color:#0645ad}
.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#eee;font-weight:600}
.verified{background:#d9f2dd}.disputed{background:#f8d7da}
ul{padding-left:1.2rem}li{margin:.4rem 0}small{color:#666}
"""


def _page(title: str, body: str, *, head: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style>{head}</head>"
        f"<body>{body}</body></html>\n"
    )


def _json_ld(document: object) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def claim_page(item: Published, newsroom: Newsroom) -> str:
    claim = item.detail.claim
    e = html.escape
    status = f'<span class="status {claim.status.value}">{STATUS_BADGE[claim.status]} ' + (
        f"{e(STATUS_LABEL[claim.status])}</span>"
    )
    facts = [f"Claimed by {e(claim.claimant)}" if claim.claimant else "Claimant unknown"]
    if claim.claimed_on:
        facts.append(f"on {e(claim.claimed_on)}")
    reason = f"<p>{e(item.verdict.detail)}</p>" if item.verdict else ""
    review = item.credited_review
    if review is not None and review.url:
        # Another newsroom's verdict, published on request: credited, with its own link.
        reason += (
            f'<p>Verdict of <a href="{e(review.url)}">{e(review.outlet or review.url)}</a>'
            f"{': ' + e(review.title) if review.title else ''}</p>"
        )
    sources = "".join(
        f"<li><b>{e(s.stance.value)}</b> · "
        + (f'<a href="{e(s.url)}" rel="nofollow">{e(s.title or s.outlet or s.url)}</a>'
           if s.url else e(s.title or s.outlet))
        + (f" — {e(s.note)}" if s.note else "")
        + "</li>"
        for s in item.detail.sources
    )  # fmt: skip
    history = "".join(
        f"<li><small>{e(h.at.strftime('%Y-%m-%d %H:%M UTC'))}</small> "
        f"{e(describe_entry(h))} <small>by {e(h.actor.name)}</small></li>"
        for h in item.history
    )
    body = (
        f'<p><a href="../index.html">{e(newsroom.name)}</a></p>'
        f"<h1>{e(claim.text)}</h1><p>{status} · {' '.join(facts)}</p>{reason}"
        f"<h2>Sources</h2><ul>{sources or '<li>None yet.</li>'}</ul>"
        f"<h2>History</h2><ul>{history}</ul>"
    )
    return _page(claim.text, body, head=_json_ld(claim_review(item, newsroom)))


def index_page(items: Sequence[Published], newsroom: Newsroom) -> str:
    e = html.escape
    rows = "".join(
        f'<li><span class="status {i.detail.claim.status.value}">'
        f"{STATUS_BADGE[i.detail.claim.status]} {e(STATUS_LABEL[i.detail.claim.status])}</span> "
        f'<a href="claims/{i.detail.claim.id}.html">{e(i.detail.claim.text)}</a>'
        + (f" <small>— {e(i.detail.claim.claimant)}</small>" if i.detail.claim.claimant else "")
        + "</li>"
        for i in items
    )
    body = f"<h1>{e(newsroom.name)}: fact checks</h1><ul>{rows or '<li>Nothing yet.</li>'}</ul>"
    return _page(f"{newsroom.name}: fact checks", body)


def write_site(folder: Path, items: Sequence[Published], newsroom: Newsroom) -> int:
    """Write the site into ``folder``; returns the number of claim pages."""
    (folder / "claims").mkdir(parents=True, exist_ok=True)
    for item in items:
        page = folder / "claims" / f"{item.detail.claim.id}.html"
        page.write_text(claim_page(item, newsroom), encoding="utf-8")
    (folder / "index.html").write_text(index_page(items, newsroom), encoding="utf-8")
    return len(items)
