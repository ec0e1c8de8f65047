"""schema.org ClaimReview: reading published fact-checks (reader.py) for import, and the
desk's own checks as a static site (site.py)."""
