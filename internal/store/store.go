// Package store keeps dueprocess's state in SQL: SQLite by default, one file
// and no set-up, or PostgreSQL when several servers share one database. The
// queries are written once, with $1 placeholders that both drivers read, and
// every change runs through Transact so that it commits whole or not at all.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/dueprocess/dueprocess"
)

// Dialect names the SQL database behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open dueprocess database.
type DB struct {
	sql *sql.DB
	// write is the pool the committer writes through: for SQLite a pool
	// of its own, of two connections, so that a connection SQLite
	// opened read-only while the file could not be written (it then
	// falls back to read-only, for good) serves reads and never the
	// committer; for PostgreSQL the same pool as reads.
	write   *sql.DB
	dialect Dialect
	dsn     string

	// Now is the clock; tests replace it. Times are stored in UTC.
	Now func() time.Time

	// Notice is the policy's notice section, which serve sets, for the
	// operations that plan user notices deep inside a transaction (a
	// hold placed by a status move); see Tx.NoticePolicy.
	Notice dueprocess.NoticePolicy
	// HoldTerms gives the terms of a jurisdiction's preservation holds,
	// from the policy in force; nil is dueprocess.DefaultHoldTerms.
	HoldTerms func(jurisdiction string) dueprocess.HoldTerms

	// PublicURL is the address officials reach the server at, without a
	// trailing slash (https://dueprocess.example.com), for the portal
	// links in the mail the store writes; empty, the links are paths.
	PublicURL string

	// Write transactions go through one committer per DB (see commit.go).
	work chan *op
	stop chan struct{}
	done chan struct{}
	once sync.Once

	commits, committedOps  atomic.Int64
	statements, roundTrips atomic.Int64
	// writeErr is the error of the last write if the database itself
	// failed it, nil once a write commits again (see Health).
	writeErr atomic.Pointer[error]

	// SQLite parses every statement it runs; writes reuse prepared ones
	// (see prepared). pgx keeps its own cache for PostgreSQL.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// reads are the prepared statements of frequent reads (see readQuery).
	reads sync.Map
}

// maxStmts bounds the prepared-statement cache: statements built for a
// number of rows (batched inserts, IN lists) vary, and only the common
// shapes are worth keeping.
const maxStmts = 256

// prepared returns query prepared on the database, or nil if it is not
// worth caching or cannot be prepared (the caller then runs the text).
func (db *DB) prepared(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if st, ok := db.stmts[query]; ok {
		return st
	}
	if len(db.stmts) >= maxStmts {
		return nil
	}
	st, err := db.write.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = st
	return st
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a PostgreSQL URL
// ("postgres://user@host/db") or the path of a SQLite file, created if
// missing. It does not migrate; call Migrate or CheckSchema next.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{dsn: dsn, Now: time.Now}
	var err error
	if IsPostgres(dsn) {
		db.dialect = Postgres
		db.sql, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", Redact(dsn), err)
		}
		db.sql.SetMaxOpenConns(32)
		db.sql.SetMaxIdleConns(32)
		db.sql.SetConnMaxIdleTime(5 * time.Minute)
		db.write = db.sql
	} else {
		db.dialect = SQLite
		db.sql, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		// Readers run in parallel under WAL; the committer is the only writer.
		db.sql.SetMaxOpenConns(8)
		db.sql.SetMaxIdleConns(8)
		db.sql.SetConnMaxIdleTime(0)
		db.write, err = sql.Open("sqlite", sqliteDSN(dsn))
		if err != nil {
			db.sql.Close()
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
		// Two: the committer's, and one to prepare statements on while
		// the committer's is in a transaction.
		db.write.SetMaxOpenConns(2)
		db.write.SetMaxIdleConns(2)
		db.write.SetConnMaxIdleTime(0)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.sql.PingContext(pingCtx); err != nil {
		db.closePools()
		return nil, &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "cannot reach the database " + Redact(dsn), Err: err}
	}
	db.startCommitter()
	return db, nil
}

// sqliteDSN sets the pragmas every connection needs, in one place: WAL so
// readers never block the writer, synchronous=FULL so a commit survives a
// power cut, foreign keys on, a busy timeout for other processes (the
// command line) writing to the same file, and BEGIN IMMEDIATE so a
// transaction takes the write lock at its start rather than failing midway.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Redact hides the password in a database URL so it can be shown or logged.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect reports which database is behind db.
func (db *DB) Dialect() Dialect { return db.dialect }

// String describes db without secrets, for messages.
func (db *DB) String() string { return string(db.dialect) + " " + Redact(db.dsn) }

// Close stops the committer, after the work already queued, and closes the
// database.
func (db *DB) Close() error {
	db.stopCommitter()
	db.stmtMu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	return db.closePools()
}

func (db *DB) closePools() error {
	err := db.sql.Close()
	if db.write != db.sql {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Ping checks that the database answers a read.
func (db *DB) Ping(ctx context.Context) error {
	err := db.sql.PingContext(ctx)
	if err == nil {
		var one int
		err = db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	}
	if err == nil {
		return nil
	}
	if err := mapError(err); dueprocess.ErrorKind(err) == dueprocess.Unavailable {
		return err
	}
	return unavailable(msgUnreachable, err)
}

// SQL returns the underlying handle, for benchmarks and tests that measure
// the database itself.
func (db *DB) SQL() *sql.DB { return db.sql }

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	var err error
	if st := tx.db.prepared(ctx, query); st != nil {
		tx.db.sent(1)
		res, err = tx.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = tx.tx.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return nil, mapError(err)
	}
	return res, nil
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.prepared(ctx, query); st != nil {
		tx.db.sent(1)
		return tx.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// querier is what reads need: a *sql.DB or a *sql.Tx, so the same read can
// run alone or inside a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// newID returns a random identifier with a readable prefix, such as
// "ag_5f0c2a9e41d7b3c8".
func newID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// notFound turns sql.ErrNoRows into a not-found error naming what was sought.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return dueprocess.Errorf(dueprocess.NotFound, "%s not found", what)
	}
	return mapError(err)
}
