package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Writes are committed in groups. Each call to Transact becomes an op on a
// queue; one committer goroutine takes every op that is waiting (up to
// maxBatch), runs them one after another in one database transaction,
// commits once, and only then answers each caller. A durable commit costs an
// fsync, so sharing it among concurrent requests is what lets intake
// approach, and pass, the rate of single-row commits.
//
// Failures are rare (input is checked before a transaction starts), so the
// group runs optimistically, without a savepoint per op: if an op fails,
// the whole transaction is rolled back, that op is answered with its error,
// and the others run again in a new transaction. If the commit fails, every
// op of the group fails and none was acknowledged.
//
// Two rules follow for fn: it must not call Transact itself (there is one
// committer), and it may run more than once, so it must have no effect
// outside the transaction other than filling in its own results.

const maxBatch = 128

type op struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	done  chan error
	alone bool // run in a group of its own (TransactAlone)
}

// Tx is a write transaction as one op sees it. Every change to stored
// state goes through one, so that the change and its history commit
// together.
type Tx struct {
	tx    *sqlTx
	conn  *sql.Conn // the connection tx runs on, for bulk loads (see bulk.go)
	db    *DB
	now   time.Time
	group *group
}

// Now returns the time the op began, in UTC, at microsecond precision.
// Every row an op writes carries the same time.
func (tx *Tx) Now() time.Time { return tx.now }

// Transact runs fn in a transaction and commits if fn returns nil. It
// returns only after the commit is durable. If fn fails, none of its
// changes are kept.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	return db.transact(ctx, fn, false)
}

// TransactAlone is Transact for work that must not share its transaction
// with other ops: a bulk import, which writes the audit log and the
// request counters in bulk beside the group's own bookkeeping. Its fn runs
// in a group of its own; ops that arrive meanwhile wait for the next.
func (db *DB) TransactAlone(ctx context.Context, fn func(tx *Tx) error) error {
	return db.transact(ctx, fn, true)
}

func (db *DB) transact(ctx context.Context, fn func(tx *Tx) error, alone bool) error {
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1), alone: alone}
	select {
	case db.work <- o:
	case <-db.stop:
		return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the database is closing"}
	case <-ctx.Done():
		return mapError(ctx.Err())
	}
	// Wait for the answer even if ctx ends now: the op may already be in
	// a group that is committing, and the caller must learn whether it was.
	return <-o.done
}

func (db *DB) startCommitter() {
	db.work = make(chan *op)
	db.stop = make(chan struct{})
	db.done = make(chan struct{})
	go db.committer()
}

func (db *DB) stopCommitter() {
	db.once.Do(func() {
		close(db.stop)
		<-db.done
	})
}

// committer is the loop that owns all writing. It ends when stop is closed.
func (db *DB) committer() {
	defer close(db.done)
	batch := make([]*op, 0, maxBatch)
	var held *op // an op that runs alone, met while gathering a group
	for {
		if held != nil {
			batch, held = append(batch[:0], held), nil
		} else {
			select {
			case o := <-db.work:
				batch = append(batch[:0], o)
			case <-db.stop:
				return
			}
		}
	gather:
		for len(batch) < maxBatch && !batch[0].alone {
			select {
			case o := <-db.work:
				if o.alone {
					held = o
					break gather
				}
				batch = append(batch, o)
			default:
				break gather
			}
		}
		db.commitGroup(batch)
	}
}

// commitGroup runs a group of ops in one transaction and answers each.
func (db *DB) commitGroup(batch []*op) {
	for len(batch) > 0 {
		live := batch[:0]
		for _, o := range batch {
			if err := o.ctx.Err(); err != nil {
				o.done <- mapError(err) // the caller gave up before its turn
				continue
			}
			live = append(live, o)
		}
		batch = live
		if len(batch) == 0 {
			return
		}
		failed, err := db.tryGroup(batch)
		if failed < 0 || batch[failed].ctx.Err() == nil {
			db.noteWrite(err)
		}
		if failed < 0 {
			// Committed, or the commit failed: either way every op learns it.
			for _, o := range batch {
				o.done <- err
			}
			return
		}
		// One op failed and the transaction was rolled back. Answer it
		// and run the rest again without it.
		batch[failed].done <- err
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

// tryGroup runs the ops in one transaction. It returns the index of the op
// that failed (the transaction then rolled back) and its error, or -1 and
// the result of the commit.
func (db *DB) tryGroup(batch []*op) (failed int, err error) {
	// The transaction runs on a connection of its own, so that held-back
	// writes and bulk loads can reach the driver underneath it (pgx
	// batches, PostgreSQL's COPY) and still be part of the transaction.
	ctx := context.Background()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return -1, db.explain(mapError(fmt.Errorf("connect: %w", err)))
	}
	defer func() {
		// A connection that failed for a reason of the database's own is
		// not trusted again: SQLite may have opened it read-only, or left
		// it in an error state; PostgreSQL may have dropped it. The next
		// group gets a new one, so that the committer recovers without a
		// restart once the fault is gone.
		if failed < 0 && isFault(err) || failed >= 0 && isFault(err) && batch[failed].ctx.Err() == nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	stx := &sqlTx{db: db}
	if db.dialect == Postgres {
		// Held-back writes reach pgx through the connection, to go as one
		// batch inside the transaction.
		stx.conn = conn
	}
	db.sent(1)
	if stx.Tx, err = conn.BeginTx(ctx, nil); err != nil {
		return -1, db.explain(mapError(fmt.Errorf("begin: %w", err)))
	}
	g := &group{conn: conn, alone: len(batch) == 1 && batch[0].alone}
	for i, o := range batch {
		stx.op = i
		if err := db.runOp(stx, g, o); err != nil {
			stx.Rollback()
			failed, err = blame(i, err)
			return failed, db.explain(err)
		}
	}
	stx.op = -1
	if err := db.finishGroup(ctx, stx, g); err != nil {
		stx.Rollback()
		failed, err = blame(-1, err)
		return failed, db.explain(err)
	}
	db.sent(1)
	if err := stx.Commit(); err != nil {
		return -1, db.explain(mapError(fmt.Errorf("commit: %w", err)))
	}
	db.commits.Add(1)
	db.committedOps.Add(int64(len(batch)))
	return -1, nil
}

// noteWrite remembers whether the last write reached the database: nil
// after a commit, the error after a failure of the database itself (a
// full disk, a read-only file, a lost connection). Errors of an op's own
// making (bad input, a conflict) and a caller that gave up say nothing
// about the database and are not kept.
func (db *DB) noteWrite(err error) {
	switch {
	case err == nil:
		db.writeErr.Store(nil)
	case isFault(err):
		db.writeErr.Store(&err)
	}
}

// isFault reports whether err is a failure of the database itself rather
// than of an op's input or of a caller that gave up.
func isFault(err error) bool {
	return err != nil && dueprocess.ErrorKind(err) == dueprocess.Unavailable &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// Health reports whether the database answers reads and takes writes.
// Reads are checked every time. Writes are checked only after one has
// failed for a reason of the database's own, with a write of its own to
// a counter: a read alone would call a full disk or a read-only file
// healthy, and without its own write a server taken out of rotation on a
// 503 would get no traffic to learn that the fault had gone. Its error
// carries the safe message of the fault ("the database is full").
func (db *DB) Health(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	if db.dialect == SQLite {
		if err := checkSQLiteFiles(db.dsn); err != nil {
			return err
		}
	}
	if db.writeErr.Load() == nil {
		return nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		// Not prepared: preparing could open a connection during the fault.
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ('healthz:write_probe', 1)
			ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`)
		return mapError(err)
	})
}

// explain replaces the vague "cannot be written" of a failed SQLite
// write with what the operating system says is wrong (the disk is full,
// the file is read-only), keeping the driver's error as the cause.
func (db *DB) explain(err error) error {
	var e *dueprocess.Error
	if db.dialect != SQLite || !errors.As(err, &e) || e.Message != msgWriteFailed {
		return err
	}
	var why *dueprocess.Error
	if errors.As(checkSQLiteFiles(db.dsn), &why) {
		return &dueprocess.Error{Kind: why.Kind, Message: why.Message, Err: err}
	}
	return err
}

// blame returns the op a failure belongs to: the op of a held-back write
// that failed, or else the op that was running (-1: the group's own
// writes before the commit, which fail every op).
func blame(running int, err error) (int, error) {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.op, oe.err
	}
	return running, err
}

// CommitStats reports how many group commits have succeeded and how many
// transactions they held; the ratio is the mean group size.
func (db *DB) CommitStats() (commits, ops int64) {
	return db.commits.Load(), db.committedOps.Load()
}

// runOp runs one op, turning a panic into an error so that one bad op
// cannot take the committer, and every other caller, down with it.
func (db *DB) runOp(stx *sqlTx, g *group, o *op) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &dueprocess.Error{Kind: dueprocess.Internal, Err: fmt.Errorf("panic in transaction: %v", p)}
		}
	}()
	err = o.fn(&Tx{tx: stx, conn: g.conn, db: db, now: db.Now().UTC().Truncate(time.Microsecond), group: g})
	if stx.failed != nil {
		// A held-back write failed while this op ran: its failure, not
		// whatever the aborted transaction did to this op, is the cause.
		return stx.failed
	}
	return err
}
