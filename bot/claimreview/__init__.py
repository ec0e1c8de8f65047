"""schema.org ClaimReview: reading published fact-checks (reader.py) for import."""
