-- +goose Up
-- Documents and packages, encrypted with age and addressed by the sha256 of
-- their plaintext, when they are kept in the database (--blobs db) rather
-- than in the data folder. size is the ciphertext's length in bytes.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    ciphertext BLOB NOT NULL,
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE blobs;
