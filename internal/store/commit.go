package store

import (
	"context"
	"database/sql"
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
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// Tx is a write transaction as one op sees it. Every change to stored
// state goes through one, so that the change and its history commit
// together.
type Tx struct {
	tx    *sql.Tx
	conn  *sql.Conn // the connection tx runs on, for bulk loads (see bulk.go)
	db    *DB
	now   time.Time
	group *group
}

// group is what the ops of one database transaction share: the audit
// log's head, read and locked once by the first append and written once
// before the commit, rather than read and written for every entry.
type group struct {
	conn                  *sql.Conn
	auditLocked           bool
	auditStart, auditSize int64
}

// Now returns the time the op began, in UTC, at microsecond precision.
// Every row an op writes carries the same time.
func (tx *Tx) Now() time.Time { return tx.now }

// Transact runs fn in a transaction and commits if fn returns nil. It
// returns only after the commit is durable. If fn fails, none of its
// changes are kept.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
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
	for {
		select {
		case o := <-db.work:
			batch = append(batch[:0], o)
		case <-db.stop:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case o := <-db.work:
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
func (db *DB) tryGroup(batch []*op) (int, error) {
	// The transaction runs on a connection of its own so that a bulk load
	// can reach the driver underneath it (PostgreSQL's COPY) and still be
	// part of the transaction.
	conn, err := db.sql.Conn(context.Background())
	if err != nil {
		return -1, mapError(fmt.Errorf("begin: %w", err))
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(context.Background(), nil)
	if err != nil {
		return -1, mapError(fmt.Errorf("begin: %w", err))
	}
	g := &group{conn: conn}
	for i, o := range batch {
		if err := db.runOp(sqlTx, g, o); err != nil {
			sqlTx.Rollback()
			return i, err
		}
	}
	if err := db.advanceAuditHead(sqlTx, g); err != nil {
		sqlTx.Rollback()
		return -1, err
	}
	if err := sqlTx.Commit(); err != nil {
		return -1, mapError(fmt.Errorf("commit: %w", err))
	}
	db.commits.Add(1)
	db.committedOps.Add(int64(len(batch)))
	return -1, nil
}

// CommitStats reports how many group commits have succeeded and how many
// transactions they held; the ratio is the mean group size.
func (db *DB) CommitStats() (commits, ops int64) {
	return db.commits.Load(), db.committedOps.Load()
}

// runOp runs one op, turning a panic into an error so that one bad op
// cannot take the committer, and every other caller, down with it.
func (db *DB) runOp(sqlTx *sql.Tx, g *group, o *op) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &dueprocess.Error{Kind: dueprocess.Internal, Err: fmt.Errorf("panic in transaction: %v", p)}
		}
	}()
	return o.fn(&Tx{tx: sqlTx, conn: g.conn, db: db, now: db.Now().UTC().Truncate(time.Microsecond), group: g})
}
