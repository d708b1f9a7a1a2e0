-- +goose Up
-- Legal regimes (docs/regimes.md). regime holds the fields of a legal
-- process that only the EU, DSA and UK–US regimes carry, and the request's
-- identification_only, as JSON; NULL for domestic process and MLAT.
ALTER TABLE requests ADD COLUMN regime TEXT;
-- extraterritorial: some target's platform-known home country is outside
-- the requesting country, set at intake; the report counts these.
ALTER TABLE requests ADD COLUMN extraterritorial BOOLEAN NOT NULL DEFAULT FALSE;
-- answered_at: when the request first left the open statuses (refused,
-- rejected, no data, disclosed, closed, withdrawn) or got a cannot-comply
-- answer; the report gives EU orders' median time to answer from it.
ALTER TABLE requests ADD COLUMN answered_at TIMESTAMPTZ;
ALTER TABLE request_targets ADD COLUMN country TEXT;

-- The report reads the regimes' requests of a half-year without scanning
-- every request.
CREATE INDEX requests_regimes ON requests (received_at)
    WHERE process_type IN ('epoc', 'epoc_pr', 'dsa_information_order', 'uk_daa_order') OR extraterritorial;

-- Answers to an e-Evidence order in the form of the Regulation's Annex
-- III: that it cannot be executed, on which grounds, or a request for
-- clarification. body is the answer as JSON (dueprocess.CannotComply).
CREATE TABLE cannot_comply (
    request_id TEXT NOT NULL REFERENCES requests (id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    body       TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- +goose Down
DROP TABLE cannot_comply;
DROP INDEX requests_regimes;
ALTER TABLE request_targets DROP COLUMN country;
ALTER TABLE requests DROP COLUMN answered_at;
ALTER TABLE requests DROP COLUMN extraterritorial;
ALTER TABLE requests DROP COLUMN regime;
