package store

import (
	"context"
	"database/sql"
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
	stmts map[int]*sql.Stmt // SQLite's INSERTs by number of rows
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

// insert writes the rows with INSERTs of up to 256 rows, and what is left
// over with INSERTs of 128, 64, … 1 rows, so that an import prepares at
// most nine statements per table, once, however its batches fall.
// Parameters are "?": the SQLite driver looks up every "$n" by name,
// which costs the square of the number of parameters in a statement.
func (t *bulkTable) insert(ctx context.Context) error {
	per := 256
	for per*len(t.cols) > sqliteMaxParams {
		per /= 2
	}
	for start := 0; start < len(t.rows); {
		k := per
		for k > len(t.rows)-start {
			k /= 2
		}
		st, err := t.statement(ctx, k)
		if err != nil {
			return err
		}
		args := make([]any, 0, k*len(t.cols))
		for _, r := range t.rows[start : start+k] {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		start += k
	}
	return nil
}

// statement returns an INSERT of n rows, prepared in the transaction.
func (t *bulkTable) statement(ctx context.Context, n int) (*sql.Stmt, error) {
	if st := t.stmts[n]; st != nil {
		return st, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	st, err := t.tx.tx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[int]*sql.Stmt{}
	}
	t.stmts[n] = st
	return st, nil
}

// close releases the statements the table prepared.
func (t *bulkTable) close() {
	for _, st := range t.stmts {
		st.Close()
	}
	t.stmts = nil
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
