-- +goose Up
-- The audit log: entries in order, as the exact bytes whose RFC 6962
-- record hash is the leaf, and the tree's stored hashes beside them (see
-- golang.org/x/mod/sumdb/tlog). Rows are only ever inserted.
CREATE TABLE audit_entries (
    idx    BIGINT PRIMARY KEY,
    object TEXT NOT NULL,
    data   BLOB NOT NULL
);
CREATE INDEX audit_entries_object ON audit_entries (object, idx);

CREATE TABLE audit_hashes (
    id   BIGINT PRIMARY KEY,
    hash BLOB NOT NULL
);

-- One row whose lock serialises appends from every server sharing the
-- database, and whose size is the number of entries.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

-- Signed checkpoints (C2SP tlog-checkpoint), one per tree size signed.
CREATE TABLE audit_checkpoints (
    size       BIGINT PRIMARY KEY,
    text       BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_hashes;
DROP TABLE audit_entries;
