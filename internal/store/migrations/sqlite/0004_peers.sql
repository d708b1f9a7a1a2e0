-- +goose Up
-- Figures other companies published about the government requests they
-- received (Google, Meta, Apple), imported from their CSV files, to show
-- beside our own. NULL means the company published nothing; bands stand in
-- for counts where the law allows only bands (US national security).
CREATE TABLE peer_figures (
    company           TEXT NOT NULL,
    product           TEXT NOT NULL,
    period            TEXT NOT NULL,
    jurisdiction      TEXT NOT NULL,
    legal_process     TEXT NOT NULL,
    requests          BIGINT,
    accounts          BIGINT,
    percent_some_data REAL,
    requests_min      BIGINT,
    requests_max      BIGINT,
    accounts_min      BIGINT,
    accounts_max      BIGINT,
    source            TEXT NOT NULL,
    imported_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (company, product, period, jurisdiction, legal_process)
);
CREATE INDEX peer_figures_jurisdiction ON peer_figures (jurisdiction, period);

-- +goose Down
DROP TABLE peer_figures;
