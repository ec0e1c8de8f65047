-- Matching, version 5 (see bot/store/sqlite/lexical.py and bot/store/sqlite/vectors.py).
--
-- The full-text index gains a column for the titles of a claim's sources (a fact-check's
-- headline often states the claim better than the claim's own text). Titles arrive after the
-- claim, so a claim's index row is rewritten when a titled source is added: FTS5's 'delete'
-- command takes a contentless row's old values, which the store has.
DROP TABLE claims_fts;
CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, claimant, tags, titles, pairs,
    content = '',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO claims_fts(claims_fts, rank) VALUES ('automerge', 0);
INSERT OR IGNORE INTO search_index_rebuild VALUES (1);

-- Sentence embeddings, one per claim, for matching by meaning. ``code`` holds the signs of the
-- vector's 384 components (48 bytes): a Hamming scan over the codes picks candidates, and the
-- int8 ``vector`` re-ranks them exactly. The index in memory is rebuilt from ``code`` alone.
CREATE TABLE claim_vectors (
    claim_id INTEGER PRIMARY KEY REFERENCES claims(id),
    code     BLOB NOT NULL,
    vector   BLOB NOT NULL
);

-- Claims whose embedding is missing or out of date (new, or a titled source added). Written
-- in the same transaction as the change; a background worker empties it. ``requested`` moves
-- when a claim is queued again while being embedded, so the worker's stale vector does not
-- take it off the queue.
CREATE TABLE embedding_queue (
    claim_id  INTEGER PRIMARY KEY,
    requested INTEGER NOT NULL DEFAULT 0
);
INSERT INTO embedding_queue(claim_id) SELECT id FROM claims;

-- Which model made the stored vectors: another model's vectors are not comparable, so a change
-- of model queues every claim again.
CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
