-- +goose Up
-- User notices: one row per target of a request that the affected user is
-- told about (when its data is released, or a hold is placed, as the
-- policy says). status is unresolved (its address is still to be asked of
-- the platform's contact query, which the notice loop does outside any
-- transaction, holding the row by claimed_until), queued (its message is in the outbox, mail_id;
-- whether it was sent is the outbox's status), withheld (a non-disclosure
-- order is in force: release_at is the day after it ends, NULL for an order
-- without an end date until staff lift it), delayed (an emergency:
-- release_at as the policy says) or undeliverable (no address). held_by
-- keeps why it was held back after it goes out, for the report.
CREATE TABLE notices (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id),
    target_type  TEXT NOT NULL,
    target_value TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('released', 'hold_placed')),
    status       TEXT NOT NULL CHECK (status IN ('unresolved', 'queued', 'withheld', 'delayed', 'undeliverable')),
    language     TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    held_by      TEXT NOT NULL DEFAULT '' CHECK (held_by IN ('', 'nondisclosure', 'emergency')),
    release_at   TIMESTAMPTZ,
    why          TEXT NOT NULL DEFAULT '',
    mail_id      TEXT REFERENCES outbox (id),
    created_at   TIMESTAMPTZ NOT NULL,
    queued_at    TIMESTAMPTZ,
    lifted_by    TEXT NOT NULL DEFAULT '',
    lift_reason  TEXT NOT NULL DEFAULT '',
    claimed_until TIMESTAMPTZ,
    UNIQUE (request_id, reason, target_type, target_value)
);
-- The loop's question: which held notices are due to go out.
CREATE INDEX notices_due ON notices (release_at) WHERE status IN ('withheld', 'delayed');
CREATE INDEX notices_unresolved ON notices (created_at) WHERE status = 'unresolved';

-- +goose Down
DROP TABLE notices;
