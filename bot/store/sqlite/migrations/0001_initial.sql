-- Claimdesk schema, version 1.
-- A claim's primary key packs its workspace and its per-workspace number:
--   id = workspace_key * 2^32 + number
-- so one workspace's claims are one contiguous rowid range, which FTS5 and every index can
-- seek to directly: a workspace's search costs the same however many other workspaces share
-- the file.

CREATE TABLE workspaces (
    key          INTEGER PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    next_claim   INTEGER NOT NULL DEFAULT 1,
    history_seq  INTEGER NOT NULL DEFAULT 0,
    history_head TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);

CREATE TABLE workspace_moderators (
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    kind          TEXT NOT NULL CHECK (kind IN ('role', 'user')),
    ref           TEXT NOT NULL,
    PRIMARY KEY (workspace_key, kind, ref)
) WITHOUT ROWID;

CREATE TABLE claims (
    id              INTEGER PRIMARY KEY,
    workspace_key   INTEGER NOT NULL REFERENCES workspaces(key),
    number          INTEGER NOT NULL,
    text            TEXT NOT NULL,
    claimant        TEXT NOT NULL DEFAULT '',
    claimed_on      TEXT,
    status          TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'disputed')),
    version         INTEGER NOT NULL DEFAULT 1,
    tags            TEXT NOT NULL DEFAULT '',
    source_count    INTEGER NOT NULL DEFAULT 0,
    created_by_id   TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    seed_key        TEXT,
    CHECK (id = workspace_key * 4294967296 + number)
);
CREATE UNIQUE INDEX claims_seed_key ON claims(workspace_key, seed_key) WHERE seed_key IS NOT NULL;
CREATE INDEX claims_by_status ON claims(workspace_key, status, id);

CREATE TABLE claim_tags (
    tag      TEXT NOT NULL,
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    PRIMARY KEY (tag, claim_id)
) WITHOUT ROWID;
CREATE INDEX claim_tags_by_claim ON claim_tags(claim_id);

CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER NOT NULL REFERENCES claims(id),
    url           TEXT,
    title         TEXT NOT NULL DEFAULT '',
    outlet        TEXT NOT NULL DEFAULT '',
    stance        TEXT NOT NULL CHECK (stance IN ('supports', 'refutes', 'context')),
    note          TEXT NOT NULL DEFAULT '',
    added_by_id   TEXT NOT NULL,
    added_by_name TEXT NOT NULL,
    added_at      TEXT NOT NULL
);
CREATE INDEX sources_by_claim ON sources(claim_id, id);
CREATE UNIQUE INDEX sources_unique_url ON sources(claim_id, url) WHERE url IS NOT NULL;

-- Append-only, hash-chained per workspace (see bot/core/audit.py).
-- id = workspace_key * 2^32 + seq: one workspace's chain is one rowid range, in order.
CREATE TABLE history (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER NOT NULL REFERENCES claims(id),
    kind          TEXT NOT NULL CHECK (kind IN ('created', 'source_added', 'status_changed')),
    old_status    TEXT,
    new_status    TEXT,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    detail        TEXT NOT NULL,
    at            TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX history_by_claim ON history(claim_id, id);

CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

-- Full-text index over the claim, kept in sync by triggers (external content: no second copy).
CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, claimant, tags,
    content = 'claims', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO claims_fts(claims_fts, rank) VALUES ('rank', 'bm25(4.0, 2.0, 1.0)');

-- A bulk import fills the index with one INSERT ... SELECT per batch, several times faster
-- than row by row; it marks its own (uncommitted) transaction with a row here meanwhile.
CREATE TABLE bulk_loading (marker INTEGER PRIMARY KEY);

CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims
WHEN NOT EXISTS (SELECT 1 FROM bulk_loading)
BEGIN
    INSERT INTO claims_fts(rowid, text, claimant, tags) VALUES (new.id, new.text, new.claimant, new.tags);
END;
CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims
BEGIN
    INSERT INTO claims_fts(claims_fts, rowid, text, claimant, tags)
        VALUES ('delete', old.id, old.text, old.claimant, old.tags);
END;
CREATE TRIGGER claims_fts_update AFTER UPDATE OF text, claimant, tags ON claims
BEGIN
    INSERT INTO claims_fts(claims_fts, rowid, text, claimant, tags)
        VALUES ('delete', old.id, old.text, old.claimant, old.tags);
    INSERT INTO claims_fts(rowid, text, claimant, tags) VALUES (new.id, new.text, new.claimant, new.tags);
END;
