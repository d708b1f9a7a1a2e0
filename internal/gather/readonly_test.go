package gather_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// oneQuery is a connectors file with one source and one ip_logs query.
func oneQuery(limits, query string) []byte {
	return []byte("sources:\n  app:\n    url: X\n" + limits + "categories:\n  ip_logs:\n    query: |\n      " +
		strings.ReplaceAll(query, "\n", "\n      ") + "\n")
}

// TestQueriesCannotWrite shows that read-only is enforced by the
// database, not trusted to the file: a query that writes fails, and
// nothing changes.
func TestQueriesCannotWrite(t *testing.T) {
	writes := map[string][]string{
		"sqlite": {
			`DELETE FROM statuses WHERE CAST(account_id AS TEXT) = :target_value RETURNING id`,
			`UPDATE statuses SET text = 'gone' WHERE CAST(account_id AS TEXT) = :target_value RETURNING id`,
			`INSERT INTO statuses (id, account_id, created_at, updated_at) SELECT 999, id, created_at, created_at FROM accounts WHERE CAST(id AS TEXT) = :target_value RETURNING id`,
		},
		"postgres": {
			`DELETE FROM statuses WHERE CAST(account_id AS TEXT) = :target_value RETURNING id`,
			`WITH changed AS (UPDATE statuses SET text = 'gone' WHERE CAST(account_id AS TEXT) = :target_value RETURNING id) SELECT id FROM changed`,
			`SELECT id FROM statuses WHERE CAST(account_id AS TEXT) = :target_value AND nextval('statuses_seq') > 0`,
		},
	}
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		if strings.HasPrefix(p.url, "postgres") {
			p.exec(t, "CREATE SEQUENCE statuses_seq")
		}
		dialect := "sqlite"
		if strings.HasPrefix(p.url, "postgres") {
			dialect = "postgres"
		}
		for _, q := range writes[dialect] {
			s := p.set(t, p.pointAt(t, oneQuery("", q)))
			var buf bytes.Buffer
			n, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, bob, from, to, &buf)
			if err == nil {
				t.Errorf("a query that writes gave %d rows and no error:\n%s", n, q)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "read-only") && !strings.Contains(msg, "readonly") {
				t.Errorf("error %q does not say the database is read-only", msg)
			}
		}
		if got, want := p.count(t, "statuses"), 4; got != want {
			t.Errorf("statuses: %d rows after the writes, want %d", got, want)
		}
		var text string
		if err := p.db.QueryRow("SELECT text FROM statuses WHERE id = 201").Scan(&text); err != nil || text != "bob was here" {
			t.Errorf("bob's status is now %q, %v", text, err)
		}
	})
}

// TestMaxRows shows that a query over its source's max_rows is an error
// naming the limit, never a file cut short.
func TestMaxRows(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		query := `SELECT id FROM login_activities WHERE user_id = 11 AND :target_value <> '' ORDER BY id` // 4 rows
		for _, c := range []struct {
			max     string
			wantErr bool
		}{{"3", true}, {"4", false}} {
			s := p.set(t, p.pointAt(t, oneQuery("    max_rows: "+c.max+"\n", query)))
			n, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, &bytes.Buffer{})
			if !c.wantErr {
				if err != nil || n != 4 {
					t.Errorf("max_rows %s: %d rows, %v; want 4 rows", c.max, n, err)
				}
				continue
			}
			if dueprocess.ErrorKind(err) != dueprocess.TooLarge || !strings.Contains(err.Error(), "more than 3 rows") ||
				!strings.Contains(err.Error(), "max_rows") {
				t.Errorf("max_rows %s: got %v, want a too-large error naming max_rows and 3", c.max, err)
			}
		}
	})
}

// TestTimeout shows that a query longer than its source's timeout is
// stopped, and says so.
func TestTimeout(t *testing.T) {
	slow := map[string]string{
		"sqlite":   `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c WHERE :target_value <> ''`,
		"postgres": `SELECT 1 AS x FROM pg_sleep(10) WHERE :target_value <> ''`,
	}
	eachPlatform(t, func(t *testing.T, p platform) {
		dialect := "sqlite"
		if strings.HasPrefix(p.url, "postgres") {
			dialect = "postgres"
		}
		s := p.set(t, p.pointAt(t, oneQuery("    timeout: 200ms\n", slow[dialect])))
		start := time.Now()
		_, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "took longer than the timeout") {
			t.Errorf("got %v, want a timeout error", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the query ran %s despite a timeout of 200ms", d)
		}
	})
}

// TestCells shows how values become CSV fields.
func TestCells(t *testing.T) {
	queries := map[string]struct{ query, want string }{
		"sqlite": {
			`SELECT NULL AS n, X'00ff10' AS b, 'a,"b"' AS q, 1.5 AS f, 42 AS i, 'line
two' AS nl WHERE :target_value <> ''`,
			"n,b,q,f,i,nl\n,AP8Q,\"a,\"\"b\"\"\",1.5,42,\"line\ntwo\"\n",
		},
		"postgres": {
			`SELECT NULL AS n, '\x00ff10'::bytea AS b, 'a,"b"' AS q, TIMESTAMPTZ '2026-01-05 10:00:00.25+02' AS t,
			TIMESTAMP '2026-01-05 10:00:00' AS ts, DATE '2026-01-05' AS d, '{"a": 1}'::jsonb AS j,
			'192.0.2.1'::inet AS ip, '2001:db8::1'::inet AS ip6, '10.0.0.0/8'::inet AS net, 1.5::float8 AS f,
			true AS yes, 42::bigint AS i, 12.50::numeric AS num WHERE :target_value <> ''`,
			"n,b,q,t,ts,d,j,ip,ip6,net,f,yes,i,num\n" +
				",AP8Q,\"a,\"\"b\"\"\",2026-01-05T08:00:00.25Z,2026-01-05T10:00:00Z,2026-01-05,\"{\"\"a\"\": 1}\",192.0.2.1,2001:db8::1,10.0.0.0/8,1.5,true,42,12.50\n",
		},
	}
	eachPlatform(t, func(t *testing.T, p platform) {
		dialect := "sqlite"
		if strings.HasPrefix(p.url, "postgres") {
			dialect = "postgres"
		}
		c := queries[dialect]
		s := p.set(t, p.pointAt(t, oneQuery("", c.query)))
		var buf bytes.Buffer
		if _, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, &buf); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	})
}

// TestUnreachable shows that a source out of reach is an Unavailable
// error that names the source without its password.
func TestUnreachable(t *testing.T) {
	for _, u := range []string{
		"postgres://reader:s3cret-pw@127.0.0.1:1/platform?connect_timeout=2",
		t.TempDir() + "/missing.db",
	} {
		p := platform{url: u}
		s := p.set(t, p.pointAt(t, oneQuery("", `SELECT 1 AS x WHERE :target_value <> ''`)))
		_, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, &bytes.Buffer{})
		if dueprocess.ErrorKind(err) != dueprocess.Unavailable {
			t.Errorf("%s: got %v, want an unavailable error", u, err)
		}
		var e *dueprocess.Error
		if errors.As(err, &e) && !strings.Contains(e.Message, "source app") {
			t.Errorf("message %q does not name the source", e.Message)
		}
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("the error shows the password: %v", err)
		}
		if !strings.HasPrefix(u, "postgres") {
			if _, err := os.Stat(u); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("reading a missing SQLite file created it: %v", err)
			}
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteFails: a file that cannot be written is an error about the
// file, not about the database.
func TestWriteFails(t *testing.T) {
	p := newSQLite(t)
	p.exec(t, fixtures)
	s := p.set(t, p.profile(t))
	_, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, from, to, failingWriter{})
	if dueprocess.ErrorKind(err) != dueprocess.Internal || !strings.Contains(err.Error(), "cannot write the ip_logs file") ||
		!strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want an error about writing the file", err)
	}
}
