-- +goose Up
-- The registry of agencies is ours, never the requester's: verification
-- relies on these domains and this callback number.
CREATE TABLE agencies (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    jurisdiction   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    callback_phone TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE agency_domains (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    domain    TEXT NOT NULL,
    PRIMARY KEY (agency_id, domain)
);

CREATE TABLE officials (
    id         TEXT PRIMARY KEY,
    agency_id  TEXT NOT NULL REFERENCES agencies (id),
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE staff_roles (
    staff_id TEXT NOT NULL REFERENCES staff (id),
    role     TEXT NOT NULL,
    PRIMARY KEY (staff_id, role)
);

-- Only the sha256 of a token is kept; the secret is shown once.
CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    hash        BLOB NOT NULL UNIQUE,
    official_id TEXT REFERENCES officials (id),
    staff_id    TEXT REFERENCES staff (id),
    label       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP,
    CHECK ((official_id IS NULL) <> (staff_id IS NULL))
);

-- Counters hand out gap-free numbers inside a transaction, such as the
-- yearly sequence in request ids (DP-2026-000042).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE requests (
    id                      TEXT PRIMARY KEY,
    agency_id               TEXT NOT NULL REFERENCES agencies (id),
    official_id             TEXT NOT NULL REFERENCES officials (id),
    kind                    TEXT NOT NULL,
    jurisdiction            TEXT NOT NULL,
    status                  TEXT NOT NULL,
    process_type            TEXT NOT NULL,
    process_reference       TEXT NOT NULL,
    process_issued_by       TEXT NOT NULL,
    process_issued_on       DATE,
    offence_category        TEXT,
    offence_description     TEXT,
    data_categories         TEXT NOT NULL,
    date_from               DATE,
    date_to                 DATE,
    nondisclosure           BOOLEAN NOT NULL,
    nondisclosure_until     DATE,
    emergency_harm          TEXT,
    emergency_justification TEXT,
    deadline                DATE,
    received_at             TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE INDEX requests_status ON requests (status, id);
CREATE INDEX requests_jurisdiction ON requests (jurisdiction, id);
CREATE INDEX requests_agency ON requests (agency_id, id);
CREATE INDEX requests_received_at ON requests (received_at);

CREATE TABLE request_targets (
    request_id TEXT NOT NULL REFERENCES requests (id),
    position   INTEGER NOT NULL,
    type       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (request_id, position)
);
CREATE INDEX request_targets_value ON request_targets (type, value);

-- A request's history only grows: rows are inserted, never updated.
CREATE TABLE request_events (
    request_id TEXT NOT NULL REFERENCES requests (id),
    seq        INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id   TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE documents (
    id               TEXT PRIMARY KEY,
    request_id       TEXT NOT NULL REFERENCES requests (id),
    sha256           TEXT NOT NULL,
    size             BIGINT NOT NULL,
    content_type     TEXT NOT NULL,
    filename         TEXT NOT NULL,
    uploaded_by_type TEXT NOT NULL,
    uploaded_by_id   TEXT NOT NULL,
    uploaded_at      TIMESTAMP NOT NULL
);
CREATE INDEX documents_request ON documents (request_id);

-- A retried submission with the same Idempotency-Key gets the first answer.
CREATE TABLE idempotency_keys (
    principal  TEXT NOT NULL,
    key        TEXT NOT NULL,
    body_hash  TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    response   TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE documents;
DROP TABLE request_events;
DROP TABLE request_targets;
DROP TABLE requests;
DROP TABLE counters;
DROP TABLE tokens;
DROP TABLE staff_roles;
DROP TABLE staff;
DROP TABLE officials;
DROP TABLE agency_domains;
DROP TABLE agencies;
