-- A Mastodon-like platform database: the tables and columns that
-- docs/connectors/mastodon.yaml reads, named as Mastodon names them, and
-- cut down to what a data request can ask about. It runs unchanged on
-- PostgreSQL and on SQLite, so the example profile can be tried against
-- either:
--
--   createdb platform && psql platform -f docs/connectors/mastodon-schema.sql
--   sqlite3 platform.db < docs/connectors/mastodon-schema.sql
--
-- Mastodon itself keeps IP addresses in inet columns; here they are text so
-- that the same file serves SQLite. The profile's queries work on both.
-- Times are UTC, as Mastodon keeps them ("timestamp without time zone").

-- accounts: every profile, local (domain IS NULL) or on another server.
CREATE TABLE accounts (
    id           BIGINT       PRIMARY KEY,
    username     VARCHAR(255) NOT NULL,
    domain       VARCHAR(255),
    display_name VARCHAR(255) NOT NULL DEFAULT '',
    note         TEXT         NOT NULL DEFAULT '',
    url          VARCHAR(255),
    created_at   TIMESTAMP    NOT NULL,
    updated_at   TIMESTAMP    NOT NULL,
    suspended_at TIMESTAMP
);
CREATE UNIQUE INDEX index_accounts_on_username_and_domain_lower ON accounts (lower(username), lower(COALESCE(domain, '')));

-- users: the sign-in side of a local account; this is where the e-mail
-- address and the sign-up address are.
CREATE TABLE users (
    id                 BIGINT       PRIMARY KEY,
    account_id         BIGINT       NOT NULL REFERENCES accounts (id),
    email              VARCHAR(255) NOT NULL DEFAULT '',
    created_at         TIMESTAMP    NOT NULL,
    updated_at         TIMESTAMP    NOT NULL,
    confirmed_at       TIMESTAMP,
    current_sign_in_at TIMESTAMP,
    last_sign_in_at    TIMESTAMP,
    sign_up_ip         VARCHAR(45),
    locale             VARCHAR(255),
    disabled           BOOLEAN      NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX index_users_on_email ON users (email);
CREATE INDEX index_users_on_account_id ON users (account_id);

-- login_activities: one row per sign-in attempt, the platform's IP log.
CREATE TABLE login_activities (
    id                    BIGINT       PRIMARY KEY,
    user_id               BIGINT       NOT NULL REFERENCES users (id),
    authentication_method VARCHAR(255),
    provider              VARCHAR(255),
    success               BOOLEAN,
    failure_reason        VARCHAR(255),
    ip                    VARCHAR(45),
    user_agent            VARCHAR(255),
    created_at            TIMESTAMP
);
CREATE INDEX index_login_activities_on_user_id ON login_activities (user_id, created_at);

-- statuses: posts. Their text is content; when, where and to whom they
-- were posted is metadata.
CREATE TABLE statuses (
    id             BIGINT       PRIMARY KEY,
    account_id     BIGINT       NOT NULL REFERENCES accounts (id),
    uri            VARCHAR(255),
    url            VARCHAR(255),
    text           TEXT         NOT NULL DEFAULT '',
    spoiler_text   TEXT         NOT NULL DEFAULT '',
    created_at     TIMESTAMP    NOT NULL,
    updated_at     TIMESTAMP    NOT NULL,
    edited_at      TIMESTAMP,
    deleted_at     TIMESTAMP,
    in_reply_to_id BIGINT,
    reblog_of_id   BIGINT,
    visibility     INTEGER      NOT NULL DEFAULT 0,
    sensitive      BOOLEAN      NOT NULL DEFAULT FALSE,
    language       VARCHAR(255),
    application_id BIGINT
);
CREATE INDEX index_statuses_on_account_id ON statuses (account_id, created_at);

-- media_attachments: files attached to posts.
CREATE TABLE media_attachments (
    id                BIGINT       PRIMARY KEY,
    status_id         BIGINT       REFERENCES statuses (id),
    account_id        BIGINT       REFERENCES accounts (id),
    file_file_name    VARCHAR(255),
    file_content_type VARCHAR(255),
    file_file_size    INTEGER,
    description       TEXT,
    created_at        TIMESTAMP    NOT NULL
);
CREATE INDEX index_media_attachments_on_status_id ON media_attachments (status_id);
