-- +goose Up
-- When each request is due (its own deadline, or the policy's time for its
-- kind, jurisdiction and legal process, set at intake), and when the
-- reminder to its assigned staff was queued (NULL: not yet), so that each
-- request is reminded once. Requests received before this migration are
-- due at the end of their deadline's day (UTC), or 30 days after receipt.
ALTER TABLE requests ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE requests ADD COLUMN reminded_at TIMESTAMPTZ;
UPDATE requests SET due_at = CASE
    WHEN deadline IS NOT NULL THEN (deadline + 1)::timestamp AT TIME ZONE 'UTC' - interval '1 second'
    ELSE received_at + interval '30 days'
END;
CREATE INDEX requests_due_at ON requests (due_at);
CREATE INDEX requests_to_remind ON requests (due_at) WHERE reminded_at IS NULL;

-- +goose Down
DROP INDEX requests_to_remind;
DROP INDEX requests_due_at;
ALTER TABLE requests DROP COLUMN reminded_at;
ALTER TABLE requests DROP COLUMN due_at;
