"""The Discord adapter: discord.py app commands, views and modals over the core service."""
