-- +goose Up
-- Staff review, step by step: a reviewer's proposal, its approval by a
-- different staff member, and human-rights assessments. Rows are only
-- ever inserted; the latest proposal is the one an approval confirms.
CREATE TABLE reviews (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES requests (id),
    kind            TEXT NOT NULL,
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    decision        TEXT NOT NULL,
    categories      TEXT NOT NULL,
    note            TEXT NOT NULL,
    legality        TEXT,
    necessity       TEXT,
    proportionality TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX reviews_request ON reviews (request_id, created_at);

-- Who works a case. Staff see target identifiers and documents only of
-- requests assigned to them (admins see all).
CREATE TABLE assignments (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    staff_id    TEXT NOT NULL REFERENCES staff (id),
    assigned_by TEXT NOT NULL,
    assigned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, staff_id)
);
CREATE INDEX assignments_staff ON assignments (staff_id);

-- +goose Down
DROP TABLE assignments;
DROP TABLE reviews;
