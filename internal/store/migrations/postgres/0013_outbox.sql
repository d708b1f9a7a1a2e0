-- +goose Up
-- The transactional outbox: every message the system sends is written here
-- in the transaction of the change that causes it, and sent afterwards by
-- the background loop (internal/mail). A row is claimed for a while
-- (claimed_until, a lease) while it is being sent; a failed attempt sets
-- next_attempt_at later; status is queued, sent or failed (given up). The
-- row id is the message's Message-ID, so a message sent again after a crash
-- is the same message.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    request_id      TEXT REFERENCES requests (id),
    created_at      TIMESTAMPTZ NOT NULL,
    not_before      TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until   TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT ''
);
-- The loop's question: what is queued and due, soonest first.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_request ON outbox (request_id) WHERE request_id IS NOT NULL;

-- +goose Down
DROP TABLE outbox;
