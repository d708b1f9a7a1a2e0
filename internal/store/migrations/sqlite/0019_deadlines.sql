-- +goose Up
-- When each request is due (its own deadline, or the policy's time for its
-- kind, jurisdiction and legal process, set at intake), and when the
-- reminder to its assigned staff was queued (NULL: not yet), so that each
-- request is reminded once. Requests received before this migration are
-- due at the end of their deadline's day, or 30 days after receipt.
ALTER TABLE requests ADD COLUMN due_at TIMESTAMP;
ALTER TABLE requests ADD COLUMN reminded_at TIMESTAMP;
UPDATE requests SET due_at = CASE
    WHEN deadline IS NOT NULL THEN substr(deadline, 1, 10) || 'T23:59:59.000000Z'
    ELSE strftime('%Y-%m-%dT%H:%M:%S', received_at, '+30 days') || substr(received_at, 20)
END;
CREATE INDEX requests_due_at ON requests (due_at);
CREATE INDEX requests_to_remind ON requests (due_at) WHERE reminded_at IS NULL;

-- +goose Down
DROP INDEX requests_to_remind;
DROP INDEX requests_due_at;
ALTER TABLE requests DROP COLUMN reminded_at;
ALTER TABLE requests DROP COLUMN due_at;
