-- +goose Up
-- The policy engine's decision on each request, as the JSON the API
-- shows (outcome, policy hash, verdict per category, reasons). Requests
-- stored before the engine existed have none.
ALTER TABLE requests ADD COLUMN decision TEXT;

-- Jurisdiction pauses, kept for ever: the pause history is part of the
-- public transparency report. kinds and routes are comma-separated; empty
-- means all. At most one pause per jurisdiction is in force at a time.
CREATE TABLE jurisdiction_pauses (
    id               TEXT PRIMARY KEY,
    jurisdiction     TEXT NOT NULL,
    kinds            TEXT NOT NULL,
    routes           TEXT NOT NULL,
    except_emergency BOOLEAN NOT NULL,
    reason           TEXT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    started_by_type  TEXT NOT NULL,
    started_by_id    TEXT NOT NULL,
    ended_at         TIMESTAMPTZ,
    ended_by_type    TEXT,
    ended_by_id      TEXT,
    end_reason       TEXT
);
CREATE UNIQUE INDEX jurisdiction_pauses_in_force ON jurisdiction_pauses (jurisdiction) WHERE ended_at IS NULL;
CREATE INDEX jurisdiction_pauses_history ON jurisdiction_pauses (jurisdiction, started_at);

-- +goose Down
DROP TABLE jurisdiction_pauses;
ALTER TABLE requests DROP COLUMN decision;
