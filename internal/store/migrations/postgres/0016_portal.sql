-- +goose Up
-- The officials' portal (docs/portal.md). Officials sign in as staff do:
-- an argon2id password hash, a TOTP secret and the last TOTP step used.
-- approved_at is set when staff approve the account (at once for an
-- invitation); officials added before the portal were approved then.
ALTER TABLE officials ADD COLUMN password_hash TEXT;
ALTER TABLE officials ADD COLUMN totp_secret TEXT;
ALTER TABLE officials ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE officials ADD COLUMN approved_at TIMESTAMPTZ;
UPDATE officials SET approved_at = created_at;

-- Sessions belong to a staff member or an official, never both; the
-- console takes only the one kind and the portal only the other.
ALTER TABLE sessions ALTER COLUMN staff_id DROP NOT NULL;
ALTER TABLE sessions ADD COLUMN official_id TEXT REFERENCES officials (id);
ALTER TABLE sessions ADD COLUMN webauthn_pending TEXT;
ALTER TABLE sessions ADD CONSTRAINT sessions_one_account CHECK ((staff_id IS NULL) <> (official_id IS NULL));
CREATE INDEX sessions_official ON sessions (official_id);

-- Links sent to officials: an invitation from staff, or the e-mail check of
-- a self-registration. Only the sha256 of the secret is kept; each works
-- once, before expires_at. official_id is set for an invitation, and for a
-- registration once the link is used.
CREATE TABLE official_links (
    hash            BYTEA PRIMARY KEY,
    purpose         TEXT NOT NULL,
    agency_id       TEXT NOT NULL REFERENCES agencies (id),
    official_id     TEXT REFERENCES officials (id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    created_by_type TEXT NOT NULL,
    created_by_id   TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    used_at         TIMESTAMPTZ
);
CREATE INDEX official_links_email ON official_links (email);

-- Passkeys (WebAuthn credentials) of officials: the library's credential
-- record as JSON, found by its credential id.
CREATE TABLE passkeys (
    id          BYTEA PRIMARY KEY,
    official_id TEXT NOT NULL REFERENCES officials (id),
    credential  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX passkeys_official ON passkeys (official_id);

-- Colleagues of the same agency a request is shared with (at most five).
CREATE TABLE request_shares (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    official_id TEXT NOT NULL REFERENCES officials (id),
    shared_by   TEXT NOT NULL,
    shared_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, official_id)
);
CREATE INDEX request_shares_official ON request_shares (official_id);

-- The attestation of official capacity made with a request, as JSON.
ALTER TABLE requests ADD COLUMN attestation TEXT;

-- +goose Down
ALTER TABLE requests DROP COLUMN attestation;
DROP TABLE request_shares;
DROP TABLE passkeys;
DROP TABLE official_links;
DELETE FROM sessions WHERE official_id IS NOT NULL;
ALTER TABLE sessions DROP CONSTRAINT sessions_one_account;
ALTER TABLE sessions DROP COLUMN webauthn_pending;
ALTER TABLE sessions DROP COLUMN official_id;
ALTER TABLE sessions ALTER COLUMN staff_id SET NOT NULL;
ALTER TABLE officials DROP COLUMN approved_at;
ALTER TABLE officials DROP COLUMN totp_last_step;
ALTER TABLE officials DROP COLUMN totp_secret;
ALTER TABLE officials DROP COLUMN password_hash;
