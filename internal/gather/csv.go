package gather

import (
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// errTooManyRows stops a query that returns more rows than its source's
// max_rows.
var errTooManyRows = errors.New("too many rows")

// writeError is a failure to write the file, as opposed to reading the
// database.
type writeError struct{ err error }

func (e writeError) Error() string { return "writing the file: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

// writeCSV streams rows to w as CSV: the column names, then one record per
// row, each written as it arrives. It fails with errTooManyRows on the
// row after the max-th.
func writeCSV(rows *sql.Rows, w io.Writer, max int) (int, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	names := make([]string, len(cols))
	types := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name()
		types[i] = strings.ToUpper(c.DatabaseTypeName())
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(names); err != nil {
		return 0, writeError{err}
	}
	vals, ptrs := scanTargets(len(cols))
	record := make([]string, len(cols))
	n := 0
	for rows.Next() {
		if n == max {
			return n, errTooManyRows
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			record[i] = cell(v, types[i])
		}
		if err := cw.Write(record); err != nil {
			return n, writeError{err}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, writeError{err}
	}
	return n, nil
}

func scanTargets(n int) ([]any, []any) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, ptrs
}

// cell writes one value as CSV text. typ is the column's database type
// name in upper case, which says how to read what the driver returns:
// a PostgreSQL json value arrives as bytes but is text, a date has no
// time of day, and an inet host address needs no "/32".
func cell(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if typ == "DATE" {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		switch typ {
		case "JSON", "JSONB", "XML":
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case string:
		if typ == "INET" {
			if a, ok := strings.CutSuffix(x, "/32"); ok && !strings.Contains(a, ":") {
				return a
			}
			if a, ok := strings.CutSuffix(x, "/128"); ok && strings.Contains(a, ":") {
				return a
			}
		}
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// isSQLiteError reports whether SQLite itself refused the query, as
// opposed to the file being out of reach.
func isSQLiteError(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff != 14 // SQLITE_CANTOPEN, with or without its extended code
}
