"""Adapters turn a platform's input into service calls and results into its messages."""
