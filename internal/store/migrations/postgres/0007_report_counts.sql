-- +goose Up
-- Counts for the transparency report, kept up to date in the transaction
-- of every request created and every status change, so that a half-year's
-- report reads a few hundred rows instead of grouping a million requests.
-- period is the half-year the request was received in ("2026-H1"),
-- jurisdiction its country; accounts is the sum of its targets.
CREATE TABLE report_counts (
    period       TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    kind         TEXT NOT NULL,
    process      TEXT NOT NULL,
    status       TEXT NOT NULL,
    requests     BIGINT NOT NULL,
    accounts     BIGINT NOT NULL,
    PRIMARY KEY (period, jurisdiction, kind, process, status)
);

INSERT INTO report_counts (period, jurisdiction, kind, process, status, requests, accounts)
SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY') || '-H' || CASE WHEN extract(month FROM received_at AT TIME ZONE 'UTC') <= 6 THEN '1' ELSE '2' END,
       substr(jurisdiction, 1, 2), kind, process_type, status, COUNT(*),
       SUM((SELECT COUNT(*) FROM request_targets t WHERE t.request_id = r.id))
FROM requests r
GROUP BY 1, 2, 3, 4, 5;

-- +goose Down
DROP TABLE report_counts;
