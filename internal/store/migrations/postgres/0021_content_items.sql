-- +goose Up
-- Content-restriction demands item by item (docs/content.md). A demand's
-- requester type and reason, from the vocabularies Google publishes, live
-- beside the request; each item is a URL or a platform content id with the
-- ground cited, the action in effect and an action proposed by one staff
-- member that restricts and waits for a second (four eyes).
CREATE TABLE content_requests (
    request_id     TEXT PRIMARY KEY REFERENCES requests (id),
    requester_type TEXT NOT NULL,
    reason         TEXT NOT NULL
);
CREATE TABLE request_items (
    request_id      TEXT NOT NULL REFERENCES requests (id),
    position        INTEGER NOT NULL,
    url             TEXT NOT NULL DEFAULT '',
    content_id      TEXT NOT NULL DEFAULT '',
    ground          TEXT NOT NULL,
    quote           TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL DEFAULT '',
    action_reason   TEXT NOT NULL DEFAULT '',
    proposed_action TEXT NOT NULL DEFAULT '',
    proposed_reason TEXT NOT NULL DEFAULT '',
    proposed_by     TEXT NOT NULL DEFAULT '',
    proposed_at     TIMESTAMPTZ,
    PRIMARY KEY (request_id, position)
);
-- Every action that took effect, in the order it did: what the platform
-- polls (GET /api/v1/actions?since=seq).
CREATE TABLE item_actions (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests (id),
    position     INTEGER NOT NULL,
    action       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    proposed_by  TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX item_actions_request ON item_actions (request_id, position);
-- Other companies' published removals figures (dueprocess import published):
-- summary lines by requester (reason and product empty) with the share of
-- items by outcome, and detailed lines by product and reason (requester
-- empty). Kept by the file they came from, as peer_figures are.
CREATE TABLE peer_removals (
    company          TEXT NOT NULL,
    period           TEXT NOT NULL,
    jurisdiction     TEXT NOT NULL,
    requester        TEXT NOT NULL,
    product          TEXT NOT NULL,
    reason           TEXT NOT NULL,
    requests         BIGINT NOT NULL,
    items            BIGINT,
    pct_legal        BIGINT,
    pct_policy       BIGINT,
    pct_not_found    BIGINT,
    pct_not_enough   BIGINT,
    pct_no_action    BIGINT,
    pct_already      BIGINT,
    source           TEXT NOT NULL,
    imported_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company, period, jurisdiction, requester, product, reason)
);

-- +goose Down
DROP TABLE peer_removals;
DROP INDEX item_actions_request;
DROP TABLE item_actions;
DROP TABLE request_items;
DROP TABLE content_requests;
