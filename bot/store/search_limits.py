"""How long a search may take, on either store, and what a person hears when it would take
longer. A search is whatever a person types, and some texts (fifty ``a* b* c*`` prefixes over a
200,000-claim workspace) cost seconds: each store interrupts its statement at the deadline
(SQLite: bot/store/sqlite/budget.py; PostgreSQL: a statement timeout)."""

from __future__ import annotations

# Seconds a search may take. Ordinary searches take milliseconds at a million claims.
SEARCH_SECONDS = 1.5

TOO_BROAD = (
    "That search is too broad to answer quickly. Use fewer words, longer words, or fewer "
    "word* prefixes."
)
