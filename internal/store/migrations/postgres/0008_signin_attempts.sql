-- +goose Up
-- A sign-in attempt is counted before its password or code is checked, so
-- that concurrent attempts cannot all pass a check of the failures counted
-- so far. Each attempt adds a row to signin_failures, named by attempt, that
-- a successful sign-in removes again. An attempt first locks its key's row
-- in signin_keys: on PostgreSQL, attempts on one key from several servers
-- then count one after another; seen_at lets old keys be pruned.
ALTER TABLE signin_failures ADD COLUMN attempt TEXT;
CREATE INDEX signin_failures_attempt ON signin_failures (attempt);
CREATE TABLE signin_keys (
    key     TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE signin_keys;
DROP INDEX signin_failures_attempt;
ALTER TABLE signin_failures DROP COLUMN attempt;
