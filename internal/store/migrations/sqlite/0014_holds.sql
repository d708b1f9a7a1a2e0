-- +goose Up
-- Preservation holds: one row per target of a preservation request the
-- policy let through. A hold is in force while its status is active or
-- extended and expires_at is in the future, or while it is superseded (a
-- later user_data request about the target is open; see hold_links).
-- extension_days is what the one extension adds (0: none allowed), fixed
-- by the policy when the hold is placed. reminded_at is set once per term
-- by the expiry loop, when it marks the reminder to the official due.
CREATE TABLE holds (
    id             TEXT PRIMARY KEY,
    request_id     TEXT NOT NULL REFERENCES requests (id),
    target_type    TEXT NOT NULL,
    target_value   TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    extension_days INTEGER NOT NULL,
    extended_at    TIMESTAMP,
    reminded_at    TIMESTAMP,
    ended_at       TIMESTAMP,
    end_reason     TEXT
);
-- The platform's check: is this account held? Answered from this index.
CREATE INDEX holds_target ON holds (target_type, target_value, status);
-- The expiry loop's claim: holds in force, by when they end.
CREATE INDEX holds_due ON holds (status, expires_at);
CREATE INDEX holds_request ON holds (request_id);

-- The user_data requests that keep a hold past its term: the hold stays
-- until the last of them is closed or withdrawn.
CREATE TABLE hold_links (
    hold_id    TEXT NOT NULL REFERENCES holds (id),
    request_id TEXT NOT NULL REFERENCES requests (id),
    linked_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (hold_id, request_id)
);
CREATE INDEX hold_links_request ON hold_links (request_id);

-- +goose Down
DROP TABLE hold_links;
DROP TABLE holds;
