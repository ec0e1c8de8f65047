"""Storage implementations of ``bot.core.ports.Store``; all SQL lives below this package."""
