-- +goose Up
-- Verification of who sends a demand (docs/verification.md). The registry
-- keeps, beside each agency's callback number, a supervisor to call; an
-- agency or an official may be suspended, which kills their tokens and
-- blocks every release of their requests.
ALTER TABLE agencies ADD COLUMN supervisor_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN suspended_at TIMESTAMP;
ALTER TABLE agencies ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';
-- An agency may register an Ed25519 public key, as a note verifier key
-- (golang.org/x/mod/sumdb/note, as the audit log's): a request signed
-- with it is marked with the key's name in signed_by.
ALTER TABLE agencies ADD COLUMN signing_key TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN signed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE officials ADD COLUMN suspended_at TIMESTAMP;
ALTER TABLE officials ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';

-- How a demand arrived (api, or email, fax, post, in_person when staff
-- entered it), who sent it as the demand itself says, how staff checked
-- the sender, the signals computed at intake (JSON), why it is flagged
-- (a suspension), and when it was refused as suspected forgery.
ALTER TABLE requests ADD COLUMN channel TEXT NOT NULL DEFAULT 'api';
ALTER TABLE requests ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN signals TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN flag TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN forged_at TIMESTAMP;
-- The signals look up an official's requests, their emergencies and a
-- replay of the same legal process (requests_reference, from 0010),
-- whatever the numbers sent.
CREATE INDEX requests_official ON requests (official_id, received_at);
CREATE INDEX requests_official_kind ON requests (official_id, kind);

-- Callbacks to the number in our registry; outcome is confirmed or failed.
CREATE TABLE callbacks (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES requests (id),
    staff_id    TEXT NOT NULL REFERENCES staff (id),
    dialled     TEXT NOT NULL,
    called_at   TIMESTAMP NOT NULL,
    reached     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX callbacks_request ON callbacks (request_id);

-- The addresses each token was used from, to tell a new place.
CREATE TABLE token_addresses (
    token_id   TEXT NOT NULL REFERENCES tokens (id),
    agency_id  TEXT NOT NULL REFERENCES agencies (id),
    address    TEXT NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, address)
);
CREATE INDEX token_addresses_agency ON token_addresses (agency_id, address);

-- Alerts for the administrators: a failed callback, a suspension, a
-- request with a signal that needs a callback. Shown in the console until
-- an administrator dismisses them.
CREATE TABLE alerts (
    id           TEXT PRIMARY KEY,
    at           TIMESTAMP NOT NULL,
    kind         TEXT NOT NULL,
    request_id   TEXT NOT NULL DEFAULT '',
    agency_id    TEXT NOT NULL DEFAULT '',
    official_id  TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    dismissed_at TIMESTAMP
);
CREATE INDEX alerts_open ON alerts (dismissed_at, at);

-- Requests refused as unverified or forged, counted apart for the
-- transparency report in the transaction of the refusal.
CREATE TABLE report_forged (
    period       TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    kind         TEXT NOT NULL,
    requests     BIGINT NOT NULL,
    PRIMARY KEY (period, jurisdiction, kind)
);

-- +goose Down
DROP TABLE report_forged;
DROP TABLE alerts;
DROP TABLE token_addresses;
DROP TABLE callbacks;
DROP INDEX requests_official_kind;
DROP INDEX requests_official;
ALTER TABLE requests DROP COLUMN signed_by;
ALTER TABLE agencies DROP COLUMN signing_key;
ALTER TABLE requests DROP COLUMN forged_at;
ALTER TABLE requests DROP COLUMN flag;
ALTER TABLE requests DROP COLUMN signals;
ALTER TABLE requests DROP COLUMN sender;
ALTER TABLE requests DROP COLUMN channel;
ALTER TABLE officials DROP COLUMN suspended_reason;
ALTER TABLE officials DROP COLUMN suspended_at;
ALTER TABLE agencies DROP COLUMN suspended_reason;
ALTER TABLE agencies DROP COLUMN suspended_at;
ALTER TABLE agencies DROP COLUMN supervisor_contact;
