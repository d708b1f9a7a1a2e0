package gather

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dueprocess/dueprocess"
)

// Gather runs c's query for target t over the window [from, to) (UTC, both
// non-zero; the caller turns the request's inclusive date range into it)
// and writes a CSV file (header row, then rows) to w. rows == 0 means "no
// data held" for that category and target.
//
// Rows are streamed to w as they arrive. On an error, what was written to
// w is incomplete and must be thrown away: in particular a query that
// returns more than its source's max_rows fails, rather than giving a
// file cut short.
func (s *Set) Gather(ctx context.Context, c dueprocess.DataCategory, t dueprocess.Target, from, to time.Time, w io.Writer) (rows int, err error) {
	if !s.Has(c) {
		return 0, dueprocess.Errorf(dueprocess.NotFound, "no connector query is configured for the data category %q", c)
	}
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return 0, dueprocess.Errorf(dueprocess.Invalid, "the window to gather %s from is empty: from %s to %s", c,
			from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	q := s.queries[c]
	err = q.run(ctx, q.args(t, from, to), func(r *sql.Rows) error {
		rows, err = writeCSV(r, w, q.src.maxRows)
		if errors.Is(err, errTooManyRows) {
			return dueprocess.Errorf(dueprocess.TooLarge, "the %s query returned more than %d rows, the max_rows of source %s; "+
				"nothing was gathered: narrow the date range or raise max_rows", c, q.src.maxRows, q.src.name)
		}
		var we writeError
		if errors.As(err, &we) {
			return &dueprocess.Error{Kind: dueprocess.Internal, Message: fmt.Sprintf("cannot write the %s file", c), Err: err}
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return rows, nil
}

// Contact returns the e-mail address to notify for a target, from the
// optional contact query's first column of its first row; "" when no
// contact query is configured, or it finds no row or an empty value.
func (s *Set) Contact(ctx context.Context, t dueprocess.Target) (string, error) {
	if !s.HasContact() {
		return "", nil
	}
	q := s.contact
	var addr string
	err := q.run(ctx, q.args(t, time.Time{}, time.Time{}), func(r *sql.Rows) error {
		cols, err := r.ColumnTypes()
		if err != nil || !r.Next() {
			return err
		}
		vals, ptrs := scanTargets(len(cols))
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		addr = cell(vals[0], "")
		return nil
	})
	if err != nil || addr == "" {
		return "", err
	}
	a, perr := mail.ParseAddress(addr)
	if perr != nil {
		return "", dueprocess.Errorf(dueprocess.Internal, "the contact query returned a value that is not an e-mail address")
	}
	return a.Address, nil
}

// args binds the query's parameters, in the order of its placeholders.
func (q *query) args(t dueprocess.Target, from, to time.Time) []any {
	out := make([]any, len(q.params))
	for i, p := range q.params {
		switch p {
		case ParamTargetType:
			out[i] = string(t.Type)
		case ParamTargetValue:
			out[i] = t.Value
		case ParamFrom:
			out[i] = q.src.timeArg(from)
		case ParamTo:
			out[i] = q.src.timeArg(to)
		}
	}
	return out
}

// timeArg is how a bound time reaches the source. SQLite has no time type:
// there a time is text in SQLite's own form, "YYYY-MM-DD HH:MM:SS" in UTC,
// which compares rightly with what CURRENT_TIMESTAMP and datetime() write.
func (src *source) timeArg(t time.Time) any {
	if src.dialect == sqliteDialect {
		return t.UTC().Format("2006-01-02 15:04:05.999999999")
	}
	return t.UTC()
}

// run runs the query read-only within the source's timeout and hands its
// rows to each.
func (q *query) run(ctx context.Context, args []any, each func(*sql.Rows) error) error {
	src := q.src
	ctx, cancel := context.WithTimeout(ctx, src.timeout)
	defer cancel()
	var rows *sql.Rows
	var err error
	if src.dialect == postgresDialect {
		var tx *sql.Tx
		tx, err = src.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return q.fail(ctx, err)
		}
		// Nothing is ever committed; the deferred rollback ends it.
		defer tx.Rollback()
		if _, err = tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", src.timeout.Milliseconds())); err != nil {
			return q.fail(ctx, err)
		}
		if _, err = tx.ExecContext(ctx, "SET LOCAL TimeZone = 'UTC'"); err != nil {
			return q.fail(ctx, err)
		}
		rows, err = tx.QueryContext(ctx, q.sql, args...)
	} else {
		rows, err = src.db.QueryContext(ctx, q.sql, args...)
	}
	if err != nil {
		return q.fail(ctx, err)
	}
	defer rows.Close()
	if err := each(rows); err != nil {
		var e *dueprocess.Error
		if errors.As(err, &e) {
			return err
		}
		return q.fail(ctx, err)
	}
	if err := rows.Err(); err != nil {
		return q.fail(ctx, err)
	}
	return nil
}

// fail words a failed query: a timeout, a query the database refused (a
// mistake in the file, such as a write), or a database out of reach.
func (q *query) fail(ctx context.Context, err error) error {
	src := q.src
	var pg *pgconn.PgError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &pg) && pg.Code == "57014"):
		return &dueprocess.Error{Kind: dueprocess.Unavailable, Err: err, Message: fmt.Sprintf(
			"the %s query took longer than the timeout of source %s (%s)", q.name, src.name, src.timeout)}
	case errors.As(err, &pg) || isSQLiteError(err):
		return &dueprocess.Error{Kind: dueprocess.Internal, Err: err, Message: fmt.Sprintf(
			"the %s query failed on source %s", q.name, src.name)}
	case src.dialect == sqliteDialect && !fileExists(src.path):
		return &dueprocess.Error{Kind: dueprocess.Unavailable, Err: err, Message: fmt.Sprintf(
			"cannot read source %s for the %s query: there is no file at %s", src.name, q.name, src.path)}
	}
	return &dueprocess.Error{Kind: dueprocess.Unavailable, Err: err, Message: fmt.Sprintf(
		"cannot read source %s for the %s query", src, q.name)}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
