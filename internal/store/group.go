package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
)

// group is what the ops of one database transaction share, so that work
// every op would repeat is done once per group:
//
//   - the audit log's head, read and locked by the first append and
//     written once before the commit; the entries and stored hashes the
//     ops append, written together then, and the hashes kept here, so that
//     later appends read none of them back;
//   - the report's kept counts, summed here and written once per cell;
//   - named counters (request numbers), read and locked by their first use
//     and written once;
//   - the pauses in force, read by the first intake.
//
// A group that fails is rolled back and run again from a new group, so
// none of this outlives its transaction.
type group struct {
	conn  *sql.Conn // the connection the group's transaction runs on
	alone bool      // the group is one op run with TransactAlone

	auditLocked           bool
	auditStart, auditSize int64
	hashes                map[int64]tlog.Hash // stored hashes written or read by this group
	// pendingFrom is the first entry the group still holds in memory:
	// auditStart, unless a bulk import wrote entries itself before.
	pendingFrom int64
	newHashes   []tlog.Hash // written from tlog.StoredHashIndex(0, pendingFrom)
	entries     []pendingEntry

	counts   map[countCell]countDelta
	counters map[string]*groupCounter

	pausesRead bool
	pauses     []dueprocess.Pause
}

type pendingEntry struct {
	index  int64
	object string
	data   []byte
}

type countCell struct{ period, jurisdiction, kind, process, status string }

type countDelta struct{ requests, accounts int64 }

type groupCounter struct {
	value int64
	dirty bool
}

// addCount adds to a kept count, to be written before the commit.
func (g *group) addCount(c countCell, requests, accounts int64) {
	if g.counts == nil {
		g.counts = map[countCell]countDelta{}
	}
	d := g.counts[c]
	d.requests += requests
	d.accounts += accounts
	g.counts[c] = d
}

// finishGroup writes what the group's ops left to it, before the commit:
// the audit entries and hashes, the counts, the counters and the audit
// head. On PostgreSQL they go as one batch with any write still held back.
func (db *DB) finishGroup(ctx context.Context, stx *sqlTx, g *group) error {
	if err := db.writeAudit(ctx, stx, g); err != nil {
		return err
	}
	if err := db.writeCounts(ctx, stx, g); err != nil {
		return err
	}
	names := make([]string, 0, len(g.counters))
	for name, c := range g.counters {
		if c.dirty {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if err := stx.write(ctx, `UPDATE counters SET value = $1 WHERE name = $2`, g.counters[name].value, name); err != nil {
			return mapError(fmt.Errorf("counter %s: %w", name, err))
		}
	}
	if err := db.advanceAuditHead(ctx, stx, g); err != nil {
		return err
	}
	if stx.conn != nil {
		return stx.flush(ctx)
	}
	return nil
}

// rowsPerInsert bounds a multi-row insert, well under either database's
// limit on parameters.
const rowsPerInsert = 200

// insertRows writes rows with multi-row inserts of at most rowsPerInsert
// rows: head is the statement up to VALUES, tail what follows the rows.
func insertRows(ctx context.Context, stx *sqlTx, head, tail string, width, n int, row func(i int) []any) error {
	for start := 0; start < n; start += rowsPerInsert {
		end := min(start+rowsPerInsert, n)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, width*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range width {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+j+1)
			}
			b.WriteByte(')')
			args = append(args, row(i)...)
		}
		b.WriteString(tail)
		if err := stx.write(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) writeAudit(ctx context.Context, stx *sqlTx, g *group) error {
	if len(g.entries) == 0 {
		return nil
	}
	err := insertRows(ctx, stx, `INSERT INTO audit_entries (idx, object, data) VALUES `, ``, 3, len(g.entries), func(i int) []any {
		e := g.entries[i]
		return []any{e.index, e.object, e.data}
	})
	if err != nil {
		return fmt.Errorf("append audit entries from %d: %w", g.pendingFrom, err)
	}
	first := tlog.StoredHashIndex(0, g.pendingFrom)
	err = insertRows(ctx, stx, `INSERT INTO audit_hashes (id, hash) VALUES `, ``, 2, len(g.newHashes), func(i int) []any {
		return []any{first + int64(i), g.newHashes[i][:]}
	})
	if err != nil {
		return fmt.Errorf("append audit hashes from %d: %w", first, err)
	}
	return nil
}

func (db *DB) writeCounts(ctx context.Context, stx *sqlTx, g *group) error {
	cells := make([]countCell, 0, len(g.counts))
	for c, d := range g.counts {
		if d.requests != 0 || d.accounts != 0 {
			cells = append(cells, c)
		}
	}
	// One order for every server, so that two groups never lock the same
	// cells in opposite orders.
	slices.SortFunc(cells, func(a, b countCell) int {
		return strings.Compare(a.period+"\x00"+a.jurisdiction+"\x00"+a.kind+"\x00"+a.process+"\x00"+a.status,
			b.period+"\x00"+b.jurisdiction+"\x00"+b.kind+"\x00"+b.process+"\x00"+b.status)
	})
	err := insertRows(ctx, stx, `INSERT INTO report_counts (period, jurisdiction, kind, process, status, requests, accounts) VALUES `,
		` ON CONFLICT (period, jurisdiction, kind, process, status) DO UPDATE SET
			requests = report_counts.requests + excluded.requests, accounts = report_counts.accounts + excluded.accounts`,
		7, len(cells), func(i int) []any {
			c, d := cells[i], g.counts[cells[i]]
			return []any{c.period, c.jurisdiction, c.kind, c.process, c.status, d.requests, d.accounts}
		})
	if err != nil {
		return fmt.Errorf("report counts: %w", err)
	}
	return nil
}
