"""`claimdesk` command line: run, console, seed, import, export, audit verify, embed, migrate,
copy. One module per subcommand; ``main`` parses and wires them."""

from bot.cli.main import main

__all__ = ["main"]
