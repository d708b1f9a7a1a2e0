package store

import (
	"context"
	"database/sql"
)

// sqlTx is a write transaction's handle on the database. It counts the
// statements sent and the round trips they took, so that a benchmark can
// report what one request costs the committer (see DB.WriteStats): the
// committer is single, so its statements, one after another, set how fast
// intake can go.
type sqlTx struct {
	*sql.Tx
	db *DB
}

// sent counts statements statements sent to the database in one round trip.
func (db *DB) sent(statements int) {
	db.statements.Add(int64(statements))
	db.roundTrips.Add(1)
}

func (t *sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.db.sent(1)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.db.sent(1)
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t.db.sent(1)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// WriteStats reports how many statements write transactions have sent to
// the database, and in how many round trips, since it was opened: BEGIN
// and COMMIT included, reads outside a transaction not.
func (db *DB) WriteStats() (statements, roundTrips int64) {
	return db.statements.Load(), db.roundTrips.Load()
}
