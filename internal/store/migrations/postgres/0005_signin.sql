-- +goose Up
-- Staff sign-in: an argon2id password hash (PHC string), a TOTP secret
-- enrolled at first sign-in, and the last TOTP time step used, so that a
-- code is never accepted twice.
ALTER TABLE staff ADD COLUMN password_hash TEXT;
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN disabled_at TIMESTAMPTZ;

-- Console sessions, in the database so that several servers share them.
-- Only the sha256 of the cookie's secret is kept. A session is complete
-- once its second factor is checked (mfa_at); at a first sign-in it holds
-- the TOTP secret being enrolled until a code confirms it.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    hash       BYTEA NOT NULL UNIQUE,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    csrf       TEXT NOT NULL,
    address    TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,
    mfa_at     TIMESTAMPTZ,
    totp_pending TEXT,
    ended_at   TIMESTAMPTZ
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- Failed sign-ins, by account and by address, for throttling across every
-- server; old rows are pruned.
CREATE TABLE signin_failures (
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_failures_key ON signin_failures (key, at);

-- One-time links to create the first administrator.
CREATE TABLE setup_tokens (
    hash       BYTEA PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

-- +goose Down
DROP TABLE setup_tokens;
DROP TABLE signin_failures;
DROP TABLE sessions;
ALTER TABLE staff DROP COLUMN disabled_at;
ALTER TABLE staff DROP COLUMN totp_last_step;
ALTER TABLE staff DROP COLUMN totp_secret;
ALTER TABLE staff DROP COLUMN password_hash;
