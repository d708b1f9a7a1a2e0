-- +goose Up
-- An official's answer to a request to narrow: the note, and the request's
-- targets, categories and date range before and after, as JSON. The
-- request's own columns hold what it asks for now; the original stays
-- here, since the audit log records only its shape, never the targets.
CREATE TABLE request_narrowings (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    note        TEXT NOT NULL,
    original    TEXT NOT NULL,
    narrowed    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX request_narrowings_request ON request_narrowings (request_id, created_at);

-- +goose Down
DROP TABLE request_narrowings;
