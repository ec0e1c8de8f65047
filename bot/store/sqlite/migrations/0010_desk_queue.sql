-- The desk's queue, version 10 (issue 27): who asked about each claim, how much it is wanted,
-- who is on it, and when it was last said to be going round again.
--
-- A claim's demand is the sum over its requests of 2^(days since 2000-01-01 / 7), kept as its
-- logarithm (bot/core/desk.py): every claim's sum decays by the same factor as time passes, so
-- the order by demand never changes by itself and one index serves the queue, most wanted first.
ALTER TABLE claims ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN demand REAL NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN assignee_id TEXT;
ALTER TABLE claims ADD COLUMN assignee_name TEXT;
ALTER TABLE claims ADD COLUMN assigned_at TEXT;
ALTER TABLE claims ADD COLUMN alerted_at TEXT;
CREATE INDEX claims_queue ON claims(workspace_key, status, demand DESC, id);
CREATE INDEX claims_assigned ON claims(workspace_key, assignee_id) WHERE assignee_id IS NOT NULL;

-- Where a check was asked: a request made later (a member confirming a match) says so too.
ALTER TABLE checks ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    claim_id      INTEGER NOT NULL REFERENCES claims(id),
    check_id      INTEGER REFERENCES checks(id),
    asked_by_id   TEXT NOT NULL,
    asked_by_name TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    link          TEXT,
    asked_at      TEXT NOT NULL
);
CREATE INDEX requests_by_claim ON requests(claim_id, asked_at);
CREATE INDEX requests_by_check ON requests(check_id, claim_id);

-- The history's kinds, as 0009 rewrote them, and the outbox's (the rows do not change).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    ' OR kind = ''match_rejected'')',
    ' OR kind = ''match_rejected'' OR kind = ''assigned'' OR kind = ''unassigned'')')
WHERE type = 'table' AND name = 'history';
-- The outbox's kinds: a claim going round again, and an assignment its assignee is told of.
UPDATE sqlite_schema SET sql = replace(sql,
    ' OR kind = ''status_changed'')',
    ' OR kind = ''status_changed'' OR kind = ''going_round'' OR kind = ''assigned'''
    || ' OR kind = ''unassigned'')')
WHERE type = 'table' AND name = 'events';
PRAGMA writable_schema = RESET;
-- Other connections reload the schema when its version number moves (see 0004).
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
