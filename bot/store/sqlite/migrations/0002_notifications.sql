-- Subscriptions and the notification outbox.
-- An event and its deliveries are written in the same transaction as the change they report,
-- so an acknowledged change always produces its notifications, even if the bot dies next.

CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    user_id       TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('claim', 'tag', 'all')),
    target        TEXT NOT NULL DEFAULT '',
    delivery      TEXT NOT NULL CHECK (delivery IN ('dm', 'channel')),
    channel_id    TEXT NOT NULL DEFAULT '',
    cadence       TEXT NOT NULL DEFAULT 'instant' CHECK (cadence IN ('instant', 'hourly', 'daily')),
    created_at    TEXT NOT NULL,
    UNIQUE (workspace_key, user_id, scope, target, delivery, channel_id)
);
CREATE INDEX subscriptions_match ON subscriptions(workspace_key, scope, target);
CREATE INDEX subscriptions_by_user ON subscriptions(workspace_key, user_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    claim_id      INTEGER NOT NULL REFERENCES claims(id),
    kind          TEXT NOT NULL CHECK (kind IN ('claim_added', 'source_added', 'status_changed')),
    payload       TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    workspace_key   INTEGER NOT NULL REFERENCES workspaces(key),
    platform        TEXT NOT NULL,
    recipient_kind  TEXT NOT NULL CHECK (recipient_kind IN ('dm', 'channel')),
    recipient       TEXT NOT NULL,
    cadence         TEXT NOT NULL CHECK (cadence IN ('instant', 'hourly', 'daily')),
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    finished_at     TEXT,
    -- Each recipient gets each event once, however many of its subscriptions match.
    UNIQUE (event_id, recipient_kind, recipient)
);
CREATE INDEX deliveries_due ON deliveries(platform, next_attempt_at) WHERE state = 'pending';

-- Users already told (once) that their DMs are closed.
CREATE TABLE undeliverable_notices (
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    user_id       TEXT NOT NULL,
    noticed_at    TEXT NOT NULL,
    PRIMARY KEY (workspace_key, user_id)
) WITHOUT ROWID;

CREATE TABLE workspace_settings (
    workspace_key INTEGER NOT NULL REFERENCES workspaces(key),
    name          TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (workspace_key, name)
) WITHOUT ROWID;
