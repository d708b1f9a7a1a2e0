package store

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dueprocess/dueprocess"
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
			return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "database unavailable", Err: err}
		}
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
