-- +goose Up
-- Objections of a notified enforcing authority to a European Production
-- Order (Article 10 of the e-Evidence Regulation, docs/regimes.md): a
-- ground for refusal raised before release, or an objection raised after
-- an emergency disclosure (after_disclosure 1). Any objection stops the
-- release of the request's data.
CREATE TABLE enforcing_objections (
    request_id       TEXT NOT NULL REFERENCES requests (id),
    seq              INTEGER NOT NULL,
    grounds          TEXT NOT NULL,
    received_at      TIMESTAMP NOT NULL,
    at               TIMESTAMP NOT NULL,
    staff_id         TEXT NOT NULL REFERENCES staff (id),
    after_disclosure INTEGER NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- +goose Down
DROP TABLE enforcing_objections;
