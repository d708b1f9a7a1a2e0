package web_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// platform is the platform's own database in the disclosure tests: a real
// SQLite file with accounts, sign-in IP logs and statuses, and a small
// Gatherer over it, one read-only query per category, as the sql connector
// of internal/gather does. It can fail: a closed or broken database makes
// Gather return the driver's error.
type platform struct {
	db *sql.DB
}

// Rows of the platform: demosisto and another user, with sign-ins and
// statuses inside and outside the date range the tests ask for
// (2026-01-01 to 2026-03-01, inclusive).
const platformSchema = `
CREATE TABLE accounts (username TEXT PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE logins (username TEXT NOT NULL, ip TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE statuses (username TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL);
INSERT INTO accounts VALUES ('demosisto', 'demosisto@example.org', '2019-04-01T00:00:00Z'),
  ('bystander', 'bystander@example.org', '2020-01-01T00:00:00Z');
INSERT INTO logins VALUES
  ('demosisto', '192.0.2.10', '2026-01-15T08:00:00Z'),
  ('demosisto', '192.0.2.11', '2026-03-01T23:59:59Z'),
  ('demosisto', '198.51.100.1', '2025-12-31T23:59:59Z'),
  ('demosisto', '198.51.100.2', '2026-03-02T00:00:00Z'),
  ('bystander', '203.0.113.9', '2026-02-01T00:00:00Z');
INSERT INTO statuses VALUES ('demosisto', 'private words never to be disclosed', '2026-02-01T00:00:00Z');
`

func newPlatform(t testing.TB) *platform {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(platformSchema); err != nil {
		t.Fatal(err)
	}
	return &platform{db: db}
}

// queries are the platform's per-category queries; location has none.
var queries = map[dueprocess.DataCategory]string{
	dueprocess.CategorySubscriber: `SELECT username, email, created_at FROM accounts WHERE username = ?`,
	dueprocess.CategoryIPLogs:     `SELECT username, ip, at FROM logins WHERE username = ? AND at >= ? AND at < ? ORDER BY at`,
	dueprocess.CategoryContent:    `SELECT username, text, at FROM statuses WHERE username = ? AND at >= ? AND at < ? ORDER BY at`,
}

func (p *platform) Has(c dueprocess.DataCategory) bool { _, ok := queries[c]; return ok }

func (p *platform) Gather(ctx context.Context, c dueprocess.DataCategory, t dueprocess.Target, from, to time.Time, w io.Writer) (int, error) {
	q, ok := queries[c]
	if !ok {
		return 0, fmt.Errorf("no query for %s", c)
	}
	args := []any{t.Value}
	if c != dueprocess.CategorySubscriber {
		args = append(args, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	rows, err := p.db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	cw := csv.NewWriter(w)
	n := 0
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		if n == 0 {
			cw.Write(cols)
		}
		cw.Write(vals)
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cw.Flush()
	return n, cw.Error()
}

// rename renames a user of the platform in every table, so that a target
// is, for a while, one the platform holds nothing on.
func (p *platform) rename(from, to string) {
	for _, table := range []string{"accounts", "logins", "statuses"} {
		if _, err := p.db.Exec(`UPDATE `+table+` SET username = ? WHERE username = ?`, to, from); err != nil {
			panic(err)
		}
	}
}
