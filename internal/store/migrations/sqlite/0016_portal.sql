-- +goose Up
-- The officials' portal (docs/portal.md). Officials sign in as staff do:
-- an argon2id password hash, a TOTP secret and the last TOTP step used.
-- approved_at is set when staff approve the account (at once for an
-- invitation); officials added before the portal were approved then.
ALTER TABLE officials ADD COLUMN password_hash TEXT;
ALTER TABLE officials ADD COLUMN totp_secret TEXT;
ALTER TABLE officials ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE officials ADD COLUMN approved_at TIMESTAMP;
UPDATE officials SET approved_at = created_at;

-- Sessions belong to a staff member or an official, never both; the
-- console takes only the one kind and the portal only the other. SQLite
-- cannot drop a NOT NULL, so the table is rebuilt (sessions are not
-- referenced by any other table).
CREATE TABLE sessions_new (
    id          TEXT PRIMARY KEY,
    hash        BLOB NOT NULL UNIQUE,
    staff_id    TEXT REFERENCES staff (id),
    official_id TEXT REFERENCES officials (id),
    csrf        TEXT NOT NULL,
    address     TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    seen_at     TIMESTAMP NOT NULL,
    mfa_at      TIMESTAMP,
    totp_pending TEXT,
    webauthn_pending TEXT,
    ended_at    TIMESTAMP,
    CHECK ((staff_id IS NULL) <> (official_id IS NULL))
);
INSERT INTO sessions_new (id, hash, staff_id, csrf, address, user_agent, created_at, seen_at, mfa_at, totp_pending, ended_at)
    SELECT id, hash, staff_id, csrf, address, user_agent, created_at, seen_at, mfa_at, totp_pending, ended_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_official ON sessions (official_id);

-- Links sent to officials: an invitation from staff, or the e-mail check of
-- a self-registration. Only the sha256 of the secret is kept; each works
-- once, before expires_at. official_id is set for an invitation, and for a
-- registration once the link is used.
CREATE TABLE official_links (
    hash            BLOB PRIMARY KEY,
    purpose         TEXT NOT NULL,
    agency_id       TEXT NOT NULL REFERENCES agencies (id),
    official_id     TEXT REFERENCES officials (id),
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    created_by_type TEXT NOT NULL,
    created_by_id   TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP
);
CREATE INDEX official_links_email ON official_links (email);

-- Passkeys (WebAuthn credentials) of officials: the library's credential
-- record as JSON, found by its credential id.
CREATE TABLE passkeys (
    id          BLOB PRIMARY KEY,
    official_id TEXT NOT NULL REFERENCES officials (id),
    credential  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX passkeys_official ON passkeys (official_id);

-- Colleagues of the same agency a request is shared with (at most five).
CREATE TABLE request_shares (
    request_id  TEXT NOT NULL REFERENCES requests (id),
    official_id TEXT NOT NULL REFERENCES officials (id),
    shared_by   TEXT NOT NULL,
    shared_at   TIMESTAMP NOT NULL,
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
CREATE TABLE sessions_old (
    id         TEXT PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    csrf       TEXT NOT NULL,
    address    TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    seen_at    TIMESTAMP NOT NULL,
    mfa_at     TIMESTAMP,
    totp_pending TEXT,
    ended_at   TIMESTAMP
);
INSERT INTO sessions_old (id, hash, staff_id, csrf, address, user_agent, created_at, seen_at, mfa_at, totp_pending, ended_at)
    SELECT id, hash, staff_id, csrf, address, user_agent, created_at, seen_at, mfa_at, totp_pending, ended_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_old RENAME TO sessions;
CREATE INDEX sessions_staff ON sessions (staff_id);
ALTER TABLE officials DROP COLUMN approved_at;
ALTER TABLE officials DROP COLUMN totp_last_step;
ALTER TABLE officials DROP COLUMN totp_secret;
ALTER TABLE officials DROP COLUMN password_hash;
