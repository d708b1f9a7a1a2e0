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
// kept counts against: they must be equal. A closed request counts under
// the answer it was closed with (answered_as).
func (db *DB) RecountReport(ctx context.Context, period string) ([]dueprocess.ReportCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.received_at, r.jurisdiction, r.kind, r.process_type, COALESCE(r.answered_as, r.status),
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

// NoticeCounts counts user notices per jurisdiction and half-year of the
// request's receipt (or of one half-year): sent (the outbox sent it),
// withheld by a non-disclosure order, delayed for an emergency (either
// one also when it has gone out since) and undeliverable. Notices are few
// beside requests, so they are counted when asked rather than kept.
func (db *DB) NoticeCounts(ctx context.Context, period string) ([]dueprocess.NoticeCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.received_at, r.jurisdiction, n.status, n.held_by, o.status
		FROM notices n JOIN requests r ON r.id = n.request_id LEFT JOIN outbox o ON o.id = n.mail_id`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	cells := map[[2]string]*dueprocess.NoticeCount{}
	for rows.Next() {
		var received time.Time
		var juris, status, heldBy, mailStatus string
		if err := rows.Scan(timeCol{&received}, &juris, &status, &heldBy, nullString{&mailStatus}); err != nil {
			return nil, mapError(err)
		}
		key := [2]string{dueprocess.HalfYear(received), dueprocess.Country(juris)}
		if period != "" && key[0] != period {
			continue
		}
		c := cells[key]
		if c == nil {
			c = &dueprocess.NoticeCount{Period: key[0], Jurisdiction: key[1]}
			cells[key] = c
		}
		switch {
		case status == string(dueprocess.NoticeUndeliverable):
			c.Undeliverable++
		case mailStatus == string(dueprocess.MailSent):
			c.Sent++
		}
		switch heldBy {
		case dueprocess.HeldByNondisclosure:
			c.Withheld++
		case dueprocess.HeldByEmergency:
			c.Delayed++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	list := make([]dueprocess.NoticeCount, 0, len(cells))
	for _, c := range cells {
		list = append(list, *c)
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Period+"\x00"+list[i].Jurisdiction < list[j].Period+"\x00"+list[j].Jurisdiction
	})
	return list, nil
}

// ForgedCounts returns, for a half-year (or every one, for an empty
// period), the requests refused as suspected forgery, by country and
// kind. They are counted in the transaction of the refusal.
func (db *DB) ForgedCounts(ctx context.Context, period string) ([]dueprocess.ForgedCount, error) {
	return db.forgedCounts(ctx, `SELECT period, jurisdiction, kind, requests FROM report_forged WHERE requests <> 0`, period)
}

// RecountForged computes ForgedCounts from the requests themselves, to
// check the kept counts against.
func (db *DB) RecountForged(ctx context.Context, period string) ([]dueprocess.ForgedCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT received_at, jurisdiction, kind FROM requests WHERE forged_at IS NOT NULL`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	cells := map[dueprocess.ForgedCount]int64{}
	for rows.Next() {
		var received time.Time
		var juris, kind string
		if err := rows.Scan(timeCol{&received}, &juris, &kind); err != nil {
			return nil, mapError(err)
		}
		key := dueprocess.ForgedCount{Period: dueprocess.HalfYear(received), Jurisdiction: dueprocess.Country(juris), Kind: dueprocess.RequestKind(kind)}
		if period == "" || key.Period == period {
			cells[key]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	list := []dueprocess.ForgedCount{}
	for c, n := range cells {
		c.Requests = n
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		return a.Period+"\x00"+a.Jurisdiction+"\x00"+string(a.Kind) < b.Period+"\x00"+b.Jurisdiction+"\x00"+string(b.Kind)
	})
	return list, nil
}

func (db *DB) forgedCounts(ctx context.Context, q, period string) ([]dueprocess.ForgedCount, error) {
	var args []any
	if period != "" {
		q += ` AND period = $1`
		args = append(args, period)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY period, jurisdiction, kind`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.ForgedCount{}
	for rows.Next() {
		var c dueprocess.ForgedCount
		var kind string
		if err := rows.Scan(&c.Period, &c.Jurisdiction, &kind, &c.Requests); err != nil {
			return nil, mapError(err)
		}
		c.Kind = dueprocess.RequestKind(kind)
		list = append(list, c)
	}
	return list, mapError(rows.Err())
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

// HoldCounts counts the holds placed per jurisdiction and half-year of
// their request's receipt (or of one half-year), for the report's
// accounts held. Holds are few beside requests, so they are counted when
// asked rather than kept.
func (db *DB) HoldCounts(ctx context.Context, period string) ([]dueprocess.HoldCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.received_at, r.jurisdiction FROM holds h JOIN requests r ON r.id = h.request_id`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	cells := map[[2]string]int64{}
	for rows.Next() {
		var received time.Time
		var juris string
		if err := rows.Scan(timeCol{&received}, &juris); err != nil {
			return nil, mapError(err)
		}
		key := [2]string{dueprocess.HalfYear(received), dueprocess.Country(juris)}
		if period == "" || key[0] == period {
			cells[key]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	list := make([]dueprocess.HoldCount, 0, len(cells))
	for k, n := range cells {
		list = append(list, dueprocess.HoldCount{Period: k[0], Jurisdiction: k[1], Accounts: n})
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Period+"\x00"+list[i].Jurisdiction < list[j].Period+"\x00"+list[j].Jurisdiction
	})
	return list, nil
}
