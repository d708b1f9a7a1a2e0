-- +goose Up
-- The status a request had when a pause first held it, so that resuming
-- returns it exactly there (approved stays approved, escalated stays
-- escalated) instead of sending finished review work back to the start.
-- NULL for a request that is not paused, and for one held before this
-- column existed: resuming evaluates those again, as it did then.
ALTER TABLE requests ADD COLUMN paused_from TEXT;

-- +goose Down
ALTER TABLE requests DROP COLUMN paused_from;
