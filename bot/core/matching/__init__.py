"""Finding the stored claim a person means: lexical and semantic matching, fused.

Platform-neutral like the rest of the core: the store answers "which claims share these words"
and "which vectors are nearest"; the embedder turns text into vectors; this package decides how
the two lists become one ranked, explained answer.
"""
