package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dueprocess/dueprocess"
)

// The safe messages of the faults that make the database unavailable. A
// caller can do nothing about them but retry later, so they are 503s with a
// Retry-After, and they say what an operator has to mend; the driver's own
// text goes only to the log.
const (
	msgFull        = "the database is full"
	msgReadOnly    = "the database is read-only"
	msgUnreachable = "the database cannot be reached"
	msgWriteFailed = "the database cannot be written (input/output error)"
	msgReadFailed  = "the database cannot be read (input/output error)"
	msgCantOpen    = "the database file cannot be opened"
)

// mapError turns driver errors into the domain's kinds, in one place, so
// callers can test errors.Is(err, dueprocess.ErrConflict) on either database.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var de *dueprocess.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the database did not answer in time", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &dueprocess.Error{Kind: dueprocess.Conflict, Message: "already exists", Err: err}
		case "23503": // foreign_key_violation
			return &dueprocess.Error{Kind: dueprocess.Invalid, Message: "refers to something that does not exist", Err: err}
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the database was busy; try again", Err: err}
		}
		if strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57") { // connection, operator intervention
			return unavailable(msgUnreachable, err)
		}
		if pgErr.Code == "53100" { // disk_full
			return unavailable(msgFull, err)
		}
		if pgErr.Code == "25006" { // read_only_sql_transaction: a standby, or default_transaction_read_only
			return unavailable(msgReadOnly, err)
		}
	}
	// A PostgreSQL server that went away shows as a refused or broken
	// connection, not as a PgError; SQLite never fails this way.
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		return unavailable(msgUnreachable, err)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &dueprocess.Error{Kind: dueprocess.Conflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &dueprocess.Error{Kind: dueprocess.Invalid, Message: "refers to something that does not exist", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the database was busy; try again", Err: err}
		case sqlite3.SQLITE_IOERR_READ, sqlite3.SQLITE_IOERR_SHORT_READ:
			return unavailable(msgReadFailed, err)
		}
		// The primary code, whatever the extended one: SQLITE_IOERR_WRITE
		// and SQLITE_IOERR_FSYNC are both SQLITE_IOERR.
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return unavailable(msgFull, err)
		case sqlite3.SQLITE_READONLY:
			return unavailable(msgReadOnly, err)
		case sqlite3.SQLITE_IOERR:
			// SQLite does not say why a write failed; ENOSPC alone it
			// reports as SQLITE_FULL. A file made read-only under an
			// open database (EPERM, EROFS) lands here.
			return unavailable(msgWriteFailed, err)
		case sqlite3.SQLITE_CANTOPEN:
			return unavailable(msgCantOpen, err)
		}
	}
	return &dueprocess.Error{Kind: dueprocess.Internal, Err: err}
}

// isDeadlock reports whether err is PostgreSQL breaking a deadlock, after
// which the transaction that lost may simply run again.
func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "40P01"
}

func unavailable(msg string, err error) error {
	return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: msg, Err: err}
}
