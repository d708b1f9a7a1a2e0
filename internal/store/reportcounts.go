package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dueprocess/dueprocess"
)

// count adds delta requests naming accounts accounts to a cell. Every
// request created and every status change goes through it, in its own
// transaction, so the counts never drift from the requests. The deltas
// of a group are summed and written once per cell before its commit
// (see finishGroup).
func (tx *Tx) count(ctx context.Context, received time.Time, jurisdiction string, kind dueprocess.RequestKind,
	process dueprocess.LegalProcessType, status dueprocess.Status, delta, accounts int64) error {
	tx.group.addCount(countCell{dueprocess.HalfYear(received), dueprocess.Country(jurisdiction), string(kind), string(process), string(status)},
		delta, delta*accounts)
	return nil
}

// addCount adds requests and accounts to a cell: an import adds each
// cell's sum once per batch rather than one request at a time. Like every
// count, it is summed with the group's others and written before the
// commit.
func (tx *Tx) addCount(ctx context.Context, c countCell, requests, accounts int64) error {
	tx.group.addCount(c, requests, accounts)
	return nil
}

// ReportCounts returns the counts of a half-year ("2026-H1"), or of every
// half-year for an empty period, leaving out empty cells.
func (db *DB) ReportCounts(ctx context.Context, period string) ([]dueprocess.ReportCount, error) {
	q := `SELECT period, jurisdiction, kind, process, status, requests, accounts FROM report_counts WHERE requests <> 0`
	var args []any
	if period != "" {
		q += ` AND period = $1`
		args = append(args, period)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY period, jurisdiction, kind, process, status`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.ReportCount{}
	for rows.Next() {
		var c dueprocess.ReportCount
		var kind, process, status string
		if err := rows.Scan(&c.Period, &c.Jurisdiction, &kind, &process, &status, &c.Requests, &c.Accounts); err != nil {
			return nil, mapError(err)
		}
		c.Kind, c.Process, c.Status = dueprocess.RequestKind(kind), dueprocess.LegalProcessType(process), dueprocess.Status(status)
		list = append(list, c)
	}
	return list, mapError(rows.Err())
}

// RecountReport computes the counts of a half-year (or of all, for an
// empty period) from the requests themselves, the slow way, to check the
// kept counts against: they must be equal.
func (db *DB) RecountReport(ctx context.Context, period string) ([]dueprocess.ReportCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.received_at, r.jurisdiction, r.kind, r.process_type, r.status,
		(SELECT COUNT(*) FROM request_targets t WHERE t.request_id = r.id) FROM requests r`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	cells := map[dueprocess.ReportCount]*dueprocess.ReportCount{}
	for rows.Next() {
		var received time.Time
		var juris, kind, process, status string
		var accounts int64
		if err := rows.Scan(timeCol{&received}, &juris, &kind, &process, &status, &accounts); err != nil {
			return nil, mapError(err)
		}
		key := dueprocess.ReportCount{Period: dueprocess.HalfYear(received), Jurisdiction: dueprocess.Country(juris),
			Kind: dueprocess.RequestKind(kind), Process: dueprocess.LegalProcessType(process), Status: dueprocess.Status(status)}
		if period != "" && key.Period != period {
			continue
		}
		c := cells[key]
		if c == nil {
			c = &dueprocess.ReportCount{Period: key.Period, Jurisdiction: key.Jurisdiction, Kind: key.Kind, Process: key.Process, Status: key.Status}
			cells[key] = c
		}
		c.Requests++
		c.Accounts += accounts
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	list := make([]dueprocess.ReportCount, 0, len(cells))
	for _, c := range cells {
		list = append(list, *c)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		return fmt.Sprint(a.Period, "\x00", a.Jurisdiction, "\x00", a.Kind, "\x00", a.Process, "\x00", a.Status) <
			fmt.Sprint(b.Period, "\x00", b.Jurisdiction, "\x00", b.Kind, "\x00", b.Process, "\x00", b.Status)
	})
	return list, nil
}

// RegimeRequests returns the requests received from from (inclusive) to
// to (exclusive) that the report's regimes section needs one by one: the
// orders of the EU and UK–US regimes, for their times to answer, and the
// extraterritorial requests. They are few beside all requests, and an
// index holds just them.
func (db *DB) RegimeRequests(ctx context.Context, from, to time.Time) ([]dueprocess.RegimeRequest, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT jurisdiction, process_type, extraterritorial, received_at, answered_at FROM requests
		WHERE (process_type IN ('epoc', 'epoc_pr', 'dsa_information_order', 'uk_daa_order') OR extraterritorial)
		AND received_at >= $1 AND received_at < $2 ORDER BY received_at`, db.ts(from), db.ts(to))
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.RegimeRequest{}
	for rows.Next() {
		var q dueprocess.RegimeRequest
		var process string
		var answered *time.Time
		if err := rows.Scan(&q.Jurisdiction, &process, &q.Extraterritorial, timeCol{&q.ReceivedAt}, nullTimeCol{&answered}); err != nil {
			return nil, mapError(err)
		}
		q.Process = dueprocess.LegalProcessType(process)
		if answered != nil {
			q.AnsweredAt = *answered
		}
		list = append(list, q)
	}
	return list, mapError(rows.Err())
}
