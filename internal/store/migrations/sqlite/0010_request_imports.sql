-- +goose Up
-- Each history file imported with "dueprocess import requests", written in
-- the transaction of its requests, so that a second import of the same
-- file (the same sha256) is refused by naming the first rather than
-- doubling the report's figures. id is a gap-free number from the
-- "request_import" counter.
CREATE TABLE request_imports (
    id          BIGINT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    file        TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    requests    BIGINT NOT NULL,
    first_id    TEXT NOT NULL,
    last_id     TEXT NOT NULL
);

-- An import refuses a row whose agency and legal-process reference are
-- already stored; this index makes that look-up cheap.
CREATE INDEX requests_reference ON requests (agency_id, process_reference);

-- +goose Down
DROP INDEX requests_reference;
DROP TABLE request_imports;
