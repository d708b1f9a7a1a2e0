-- +goose Up
-- Documents and packages, encrypted with age and addressed by the sha256 of
-- their plaintext, so that every server sharing this database reads the
-- blobs any of them stored. size is the ciphertext's length in bytes; a
-- document is at most 20 MB, well within what bytea holds.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    ciphertext BYTEA NOT NULL,
    size       BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE blobs;
