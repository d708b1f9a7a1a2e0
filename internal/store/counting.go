package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// sqlTx is a group transaction's handle on the database. It counts the
// statements sent and the round trips they took (see DB.WriteStats), and
// on PostgreSQL it holds back writes whose only result is success or
// failure, to send them together as one pgx batch: the committer is
// single, so the round trips it waits for, one after another, set how
// fast intake can go. Held-back writes are sent before any other statement
// of the transaction runs, so every read sees them, and before the commit.
type sqlTx struct {
	*sql.Tx
	db   *DB
	conn *sql.Conn // PostgreSQL: the connection, to reach pgx for batches

	op      int      // index in the group of the op running
	pending []queued // PostgreSQL writes not yet sent
	failed  *opError // the first held-back write that failed
}

// queued is a held-back write, and the op it belongs to.
type queued struct {
	op    int
	query string
	args  []any
	// check, if set, judges the rows the statement changed.
	check func(rows int64) error
}

// opError is the failure of a held-back write, blamed on the op that made
// it rather than on the op whose statement happened to send it.
type opError struct {
	op  int
	err error
}

func (e *opError) Error() string { return e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// sent counts statements sent to the database in one round trip.
func (db *DB) sent(statements int) {
	db.statements.Add(int64(statements))
	db.roundTrips.Add(1)
}

// write runs a statement whose only result is success or failure. On
// SQLite, in the same process, it runs at once; on PostgreSQL it is held
// back and sent with the next statement, and an error is reported then,
// as the failure of this op.
func (t *sqlTx) write(ctx context.Context, query string, args ...any) error {
	return t.writeChecked(ctx, nil, query, args...)
}

func (t *sqlTx) writeChecked(ctx context.Context, check func(rows int64) error, query string, args ...any) error {
	if t.conn == nil {
		var res sql.Result
		var err error
		if st := t.db.prepared(ctx, query); st != nil {
			t.db.sent(1)
			res, err = t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		} else {
			t.db.sent(1)
			res, err = t.Tx.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return mapError(err)
		}
		if check != nil {
			n, _ := res.RowsAffected()
			return check(n)
		}
		return nil
	}
	t.pending = append(t.pending, queued{op: t.op, query: query, args: args, check: check})
	return nil
}

// flush sends the held-back writes as one batch. If one fails, the
// transaction is lost; the failure is kept in t.failed, blamed on its op.
func (t *sqlTx) flush(ctx context.Context) error {
	if t.failed != nil {
		return t.failed
	}
	if len(t.pending) == 0 {
		return nil
	}
	pending := t.pending
	t.pending = nil
	batch := &pgx.Batch{}
	for _, q := range pending {
		batch.Queue(q.query, q.args...)
	}
	t.db.sent(len(pending))
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("batch on a %T connection", dc)
		}
		br := c.Conn().SendBatch(ctx, batch)
		for _, q := range pending {
			tag, err := br.Exec()
			if err == nil && q.check != nil {
				err = q.check(tag.RowsAffected())
			}
			if err != nil {
				br.Close()
				return &opError{op: q.op, err: mapError(err)}
			}
		}
		return br.Close()
	})
	if err != nil {
		var oe *opError
		if !errors.As(err, &oe) {
			oe = &opError{op: pending[len(pending)-1].op, err: mapError(err)}
		}
		t.failed = oe
		return oe
	}
	return nil
}

// ExecContext, QueryContext and QueryRowContext send the held-back writes
// first. If those failed, the statement runs all the same (in an aborted
// transaction it fails too) and the op is answered with the failure
// (see runOp).
func (t *sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	t.db.sent(1)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	t.db.sent(1)
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t.flush(ctx) // a failure is in t.failed, and fails the op
	t.db.sent(1)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// WriteStats reports how many statements write transactions have sent to
// the database, and in how many round trips, since it was opened: BEGIN
// and COMMIT included, reads outside a transaction not.
func (db *DB) WriteStats() (statements, roundTrips int64) {
	return db.statements.Load(), db.roundTrips.Load()
}
