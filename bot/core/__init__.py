"""The platform-neutral core: models, rules, permissions. Imports no chat platform."""
