-- +goose Up
-- Orders to act against illegal content under DSA Art. 9 (docs/content.md):
-- the elements the order states beside its items and legal process. The
-- territorial scope is a comma-separated list of member states.
CREATE TABLE dsa_orders (
    request_id           TEXT PRIMARY KEY REFERENCES requests (id),
    legal_basis          TEXT NOT NULL,
    statement_of_reasons TEXT NOT NULL,
    territorial_scope    TEXT NOT NULL,
    redress              TEXT NOT NULL,
    inform               TEXT NOT NULL,
    transmitted_at       TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE dsa_orders;
