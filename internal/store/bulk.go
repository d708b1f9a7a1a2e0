package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dueprocess/dueprocess"
)

// bulkTable gathers rows for one table inside a transaction and writes
// them in as few round trips as the database allows: PostgreSQL's COPY,
// through the pgx connection under the transaction, and multi-row INSERT
// statements on SQLite. An import of a million requests writes several
// million rows; one statement per row is what made it take half an hour.
type bulkTable struct {
	tx    *Tx
	name  string
	cols  []string
	rows  [][]any
	total int64 // rows written so far
}

func (tx *Tx) bulkTable(name string, cols ...string) *bulkTable {
	return &bulkTable{tx: tx, name: name, cols: cols}
}

func (t *bulkTable) add(vals ...any) { t.rows = append(t.rows, vals) }

// flush writes the gathered rows and forgets them.
func (t *bulkTable) flush(ctx context.Context) error {
	if len(t.rows) == 0 {
		return nil
	}
	var err error
	if t.tx.db.dialect == Postgres {
		err = t.copy(ctx)
	} else {
		err = t.insert(ctx)
	}
	if err != nil {
		return mapError(fmt.Errorf("write %d rows to %s: %w", len(t.rows), t.name, err))
	}
	t.total += int64(len(t.rows))
	clear(t.rows) // let the collector have the values
	t.rows = t.rows[:0]
	return nil
}

func (t *bulkTable) copy(ctx context.Context) error {
	if t.tx.conn == nil {
		return fmt.Errorf("no connection for COPY")
	}
	return t.tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, not %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows))
		return err
	})
}

// sqliteMaxParams is SQLite's limit on the parameters of one statement
// (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const sqliteMaxParams = 32766

func (t *bulkTable) insert(ctx context.Context) error {
	per := min(256, sqliteMaxParams/len(t.cols))
	full := t.statement(per)
	for start := 0; start < len(t.rows); start += per {
		end := min(start+per, len(t.rows))
		args := make([]any, 0, (end-start)*len(t.cols))
		for _, r := range t.rows[start:end] {
			args = append(args, r...)
		}
		var err error
		if end-start == per {
			// The full-size statement is always the same text, which the
			// statement cache keeps prepared.
			_, err = t.tx.exec(ctx, full, args...)
		} else {
			// A last, shorter statement is run as text so that its one-off
			// shape does not take a place in the cache.
			_, err = t.tx.tx.ExecContext(ctx, t.statement(end-start), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// statement returns an INSERT of n rows.
func (t *bulkTable) statement(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	p := 1
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range t.cols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// bulkDate is dateOrNil for a bulk load: COPY writes dates in PostgreSQL's
// binary form, which pgx makes from a time, not from text.
func (db *DB) bulkDate(d dueprocess.Date) any {
	if d.IsZero() {
		return nil
	}
	if db.dialect == Postgres {
		return d.Time
	}
	return d.String()
}
