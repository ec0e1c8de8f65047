"""One module per feature, each exposing what it adds to the command tree."""
