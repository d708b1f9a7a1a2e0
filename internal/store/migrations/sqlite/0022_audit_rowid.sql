-- +goose Up
-- The audit log's entries and stored hashes become rowid tables: a
-- BIGINT PRIMARY KEY is a separate index in SQLite, so reading a range of
-- entries walked that index and then looked every row up in the table,
-- about a sixth of what verification spends reading. An INTEGER PRIMARY
-- KEY is the rowid itself, which a range read walks once. Old logs are
-- copied over as they are; the bytes and ids do not change.
CREATE TABLE audit_entries_rowid (
    idx    INTEGER PRIMARY KEY,
    object TEXT NOT NULL,
    data   BLOB NOT NULL
);
INSERT INTO audit_entries_rowid (idx, object, data) SELECT idx, object, data FROM audit_entries ORDER BY idx;
DROP TABLE audit_entries;
ALTER TABLE audit_entries_rowid RENAME TO audit_entries;
CREATE INDEX audit_entries_object ON audit_entries (object, idx);

CREATE TABLE audit_hashes_rowid (
    id   INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);
INSERT INTO audit_hashes_rowid (id, hash) SELECT id, hash FROM audit_hashes ORDER BY id;
DROP TABLE audit_hashes;
ALTER TABLE audit_hashes_rowid RENAME TO audit_hashes;

-- +goose Down
CREATE TABLE audit_entries_index (
    idx    BIGINT PRIMARY KEY,
    object TEXT NOT NULL,
    data   BLOB NOT NULL
);
INSERT INTO audit_entries_index (idx, object, data) SELECT idx, object, data FROM audit_entries ORDER BY idx;
DROP TABLE audit_entries;
ALTER TABLE audit_entries_index RENAME TO audit_entries;
CREATE INDEX audit_entries_object ON audit_entries (object, idx);

CREATE TABLE audit_hashes_index (
    id   BIGINT PRIMARY KEY,
    hash BLOB NOT NULL
);
INSERT INTO audit_hashes_index (id, hash) SELECT id, hash FROM audit_hashes ORDER BY id;
DROP TABLE audit_hashes;
ALTER TABLE audit_hashes_index RENAME TO audit_hashes;
