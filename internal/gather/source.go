package gather

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// source is one platform database that queries read.
type source struct {
	name    string
	dialect dialect
	shown   string // the URL with any password hidden, for messages
	path    string // a SQLite source's file
	db      *sql.DB
	maxRows int
	timeout time.Duration
}

// String names the source with its URL, password hidden.
func (src *source) String() string { return src.name + " (" + src.shown + ")" }

// open checks raw and opens a connection pool for it; no connection is
// made until a query runs.
func (src *source) open(raw string) error {
	switch {
	case strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://"):
		return src.openPostgres(raw)
	case strings.HasPrefix(raw, "sqlite:") || (strings.Contains(raw, "://") && !strings.HasPrefix(raw, "file:")):
		return fmt.Errorf("%s is neither a postgres:// URL nor a SQLite file path or file: URL", redact(raw))
	}
	return src.openSQLite(raw)
}

func (src *source) openPostgres(raw string) error {
	src.dialect, src.shown = postgresDialect, redact(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s is not a valid URL", src.shown)
	}
	if _, err := pgx.ParseConfig(raw); err != nil {
		msg := err.Error()
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
		return fmt.Errorf("%s is not a valid PostgreSQL URL: %s", src.shown, msg)
	}
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return fmt.Errorf("%s: cannot open", src.shown)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	src.db = db
	return nil
}

// openSQLite opens a SQLite file read-only: the file is opened with
// mode=ro, so SQLite itself refuses to write it, and every connection also
// sets query_only. A file: URL may carry only mode=ro and immutable=1;
// other parameters could reopen the file for writing or run SQL at
// connect time, so they are refused.
func (src *source) openSQLite(raw string) error {
	src.dialect, src.shown = sqliteDialect, raw
	path, immutable := raw, false
	if strings.HasPrefix(raw, "file:") {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("%q is not a valid file: URL", raw)
		}
		path = u.Path
		if u.Opaque != "" {
			if path, err = url.PathUnescape(u.Opaque); err != nil {
				return fmt.Errorf("%q is not a valid file: URL", raw)
			}
		}
		for k, vs := range u.Query() {
			switch v := strings.Join(vs, ","); {
			case k == "mode" && v == "ro":
			case k == "immutable" && v == "1":
				immutable = true
			default:
				return fmt.Errorf("the file: URL's parameter %s=%s is not allowed: a connector always opens the file read-only (mode=ro and immutable=1 are accepted)", k, v)
			}
		}
		if u.Host != "" && u.Host != "localhost" {
			return fmt.Errorf("%q names a host; a SQLite file must be on this machine", raw)
		}
	}
	if path == "" || strings.ContainsRune(path, 0) {
		return fmt.Errorf("%q is not a SQLite file path", raw)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%q: %v", raw, err)
	}
	src.path = abs
	q := "mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)"
	if immutable {
		q += "&immutable=1"
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: abs}).EscapedPath()+"?"+q)
	if err != nil {
		return fmt.Errorf("%q: cannot open", raw)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	src.db = db
	return nil
}

// redact hides the passwords in a PostgreSQL URL: the user's and those of
// the password and sslpassword parameters. A URL that does not parse is
// not shown at all, since where its password is cannot be known.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		scheme, _, _ := strings.Cut(raw, "://")
		if len(scheme) > 20 {
			scheme = scheme[:20]
		}
		return scheme + "://(a URL that does not parse)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	hidden := false
	for _, k := range []string{"password", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "xxxxx")
			hidden = true
		}
	}
	if hidden {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
