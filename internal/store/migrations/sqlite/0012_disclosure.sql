-- +goose Up
-- Disclosure: the officials' age keys that packages are encrypted to, the
-- files gathered for an approved request (or the record that nothing was
-- held for a category and target), and the sealed packages.
ALTER TABLE officials ADD COLUMN age_recipient TEXT;

-- The final status a closed request was answered with (disclosed, no_data,
-- rejected, refused): the transparency report counts a closed request
-- under its answer, so that closing a disclosed request does not take it
-- out of "answered with some data".
ALTER TABLE requests ADD COLUMN answered_as TEXT;

-- One row per gathered file, or per category and target where gathering
-- found no data (no_data, with no name and no blob). blob_sha256 is the address
-- of the plaintext in the blob store until the file is sealed into a
-- package (package_id), after which the plaintext is deleted and blob
-- cleared; sha256 stays, as the manifest has it.
CREATE TABLE gathered_files (
    id               TEXT PRIMARY KEY,
    request_id       TEXT NOT NULL REFERENCES requests (id),
    category         TEXT NOT NULL,
    target_type      TEXT,
    target_value     TEXT,
    name             TEXT,
    row_count        INTEGER NOT NULL,
    bytes            INTEGER NOT NULL,
    sha256           TEXT,
    blob_sha256      TEXT,
    no_data          BOOLEAN NOT NULL,
    source           TEXT NOT NULL,
    gathered_by_type TEXT NOT NULL,
    gathered_by_id   TEXT NOT NULL,
    gathered_at      TEXT NOT NULL,
    package_id       TEXT
);
CREATE INDEX gathered_files_request ON gathered_files (request_id, gathered_at);
CREATE INDEX gathered_files_blob ON gathered_files (blob_sha256) WHERE blob_sha256 IS NOT NULL;
-- A name is the file's path in the package: one per request.
CREATE UNIQUE INDEX gathered_files_name ON gathered_files (request_id, name) WHERE name IS NOT NULL;

-- One package per request. manifest is kept for ever; blob_sha256 (the address
-- of the ciphertext) is cleared when the ciphertext is deleted, after the
-- one download or on expiry.
CREATE TABLE packages (
    id                TEXT PRIMARY KEY,
    request_id        TEXT NOT NULL UNIQUE REFERENCES requests (id),
    manifest          TEXT NOT NULL,
    manifest_sha256   TEXT NOT NULL,
    ciphertext_sha256 TEXT NOT NULL,
    bytes             INTEGER NOT NULL,
    files             INTEGER NOT NULL,
    encryption        TEXT NOT NULL,
    blob_sha256       TEXT,
    created_by_type   TEXT NOT NULL,
    created_by_id     TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    downloaded_at     TEXT,
    downloaded_by     TEXT,
    downloaded_from   TEXT,
    deleted_at        TEXT
);
CREATE INDEX packages_to_delete ON packages (expires_at) WHERE deleted_at IS NULL;

-- +goose Down
DROP TABLE packages;
DROP TABLE gathered_files;
ALTER TABLE requests DROP COLUMN answered_as;
ALTER TABLE officials DROP COLUMN age_recipient;
