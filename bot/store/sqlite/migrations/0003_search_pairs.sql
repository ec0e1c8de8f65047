-- Search index, version 3 (see bot/store/sqlite/search_index.py).
-- The FTS5 index becomes contentless and written by the store, which computes a fourth column:
-- pairs of neighbouring terms, so that a phrase of common words costs what its pairs cost.
-- Ranking moves out of FTS5 too (bm25's IDF read each word's whole doclist on every query).

DROP TRIGGER claims_fts_insert;
DROP TRIGGER claims_fts_delete;
DROP TRIGGER claims_fts_update;
DROP TABLE bulk_loading;
DROP TABLE claims_fts;

CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, claimant, tags, pairs,
    content = '',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Used by the near-duplicate probe, which ranks a few rare words' matches only.
INSERT INTO claims_fts(claims_fts, rank) VALUES ('rank', 'bm25(4.0, 2.0, 1.0, 0.0)');
-- Segments are merged in the background, not inside whichever insert fills a level
-- (see bot/store/sqlite/maintenance.py).
INSERT INTO claims_fts(claims_fts, rank) VALUES ('automerge', 0);

-- A claim's words are what was claimed (its history's first entry holds them too): they never
-- change and a claim is never deleted, which is also what lets the index be contentless.
CREATE TRIGGER claims_words_are_fixed BEFORE UPDATE OF text, claimant, tags ON claims
BEGIN
    SELECT RAISE(ABORT, 'a claim''s text, claimant and tags never change');
END;
CREATE TRIGGER claims_are_kept BEFORE DELETE ON claims
BEGIN
    SELECT RAISE(ABORT, 'claims are never deleted');
END;

-- The store fills the new index from claims right after this migration (pairs need Python).
CREATE TABLE search_index_rebuild (requested INTEGER PRIMARY KEY);
INSERT INTO search_index_rebuild VALUES (1);
