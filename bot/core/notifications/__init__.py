"""Subscriptions, the outbox, and the platform-neutral dispatcher that empties it."""
