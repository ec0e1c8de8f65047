-- Checks and the members' word on their matches, version 9 (issue 24). A check is kept as it
-- was answered, so that a member can say of a match "yes, this one" (the message is an
-- appearance of the claim) or "not this one" (it is not offered again for that message). Each
-- verdict is also an entry of the claim's hash-chained history: two new kinds.
CREATE TABLE checks (
    id            INTEGER PRIMARY KEY,
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    message_key   TEXT NOT NULL,
    text          TEXT NOT NULL,
    link          TEXT,
    asked_by_id   TEXT NOT NULL,
    asked_by_name TEXT NOT NULL,
    asked_at      TEXT NOT NULL,
    shown         TEXT NOT NULL  -- JSON: [[claim number, tier, score], …] in the answer's order
);
CREATE INDEX checks_by_message ON checks(workspace_key, message_key);

CREATE TABLE match_verdicts (
    check_id INTEGER NOT NULL REFERENCES checks(id),
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    verdict  TEXT NOT NULL CHECK (verdict = 'confirmed' OR verdict = 'rejected'),
    by_id    TEXT NOT NULL,
    by_name  TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (check_id, claim_id)
);
CREATE TRIGGER match_verdicts_are_final_update BEFORE UPDATE ON match_verdicts
BEGIN
    SELECT RAISE(ABORT, 'a verdict is final: its history entry says so');
END;
CREATE TRIGGER match_verdicts_are_final_delete BEFORE DELETE ON match_verdicts
BEGIN
    SELECT RAISE(ABORT, 'a verdict is final: its history entry says so');
END;

-- The history's kinds, as 0004 rewrote such checks (the rows do not change).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (kind = ''created'' OR kind = ''source_added'' OR kind = ''status_changed'')',
    'CHECK (kind = ''created'' OR kind = ''source_added'' OR kind = ''status_changed'''
    || ' OR kind = ''match_confirmed'' OR kind = ''match_rejected'')')
WHERE type = 'table' AND name = 'history';
PRAGMA writable_schema = RESET;
-- Other connections reload the schema when its version number moves (see 0004).
CREATE TABLE schema_version_bump (unused INTEGER);
DROP TABLE schema_version_bump;
