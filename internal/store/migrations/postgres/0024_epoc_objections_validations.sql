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
    received_at      TIMESTAMPTZ NOT NULL,
    at               TIMESTAMPTZ NOT NULL,
    staff_id         TEXT NOT NULL REFERENCES staff (id),
    after_disclosure INTEGER NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- Emergency e-Evidence orders issued by an authority that is not a judge,
-- court, investigating judge or prosecutor, which must be validated by
-- due_at (48 hours after receipt, Article 4(5)) or be refused. The
-- validation itself goes into the request's regime (validated_by).
CREATE TABLE emergency_validations (
    request_id   TEXT PRIMARY KEY REFERENCES requests (id),
    due_at       TIMESTAMPTZ NOT NULL,
    reminded_at  TIMESTAMPTZ,
    validated_at TIMESTAMPTZ,
    lapsed_at    TIMESTAMPTZ
);
CREATE INDEX emergency_validations_due ON emergency_validations (due_at);

-- +goose Down
DROP TABLE emergency_validations;
DROP TABLE enforcing_objections;
