"""Embedders: implementations of the core's ``Embedder`` port."""
