"""Searches of published fact-checks outside the desk (the core's FactCheckSearch port)."""
