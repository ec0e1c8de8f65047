"""The local console: the whole workflow in a terminal, no chat token needed."""
