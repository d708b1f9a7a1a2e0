package gather_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/gather"
)

const goodQuery = "SELECT id FROM accounts WHERE username = :target_value"

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string // fragments of the error
	}{
		{"empty", ``, []string{"holds no mapping"}},
		{"not yaml", "sources: [", []string{"line"}},
		{"unknown key", "sources:\n  app:\n    url: a.db\n    pasword: x\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"line 4", `unknown key "pasword"`}},
		{"unknown top-level key", "source:\n  app:\n    url: a.db\n", []string{"line 1", `unknown key "source"`}},
		{"no sources", "categories:\n  subscriber:\n    query: " + goodQuery, []string{"sources", "at least one source"}},
		{"no queries", "sources:\n  app:\n    url: a.db\n", []string{"categories", "no query"}},
		{"unknown category", "sources:\n  app:\n    url: a.db\ncategories:\n  emails:\n    query: " + goodQuery,
			[]string{"line 5", "categories.emails", `unknown data category "emails"`, "subscriber, ip_logs"}},
		{"missing query", "sources:\n  app:\n    url: a.db\ncategories:\n  subscriber:\n    source: app\n",
			[]string{"categories.subscriber.query", "missing"}},
		{"empty query", "sources:\n  app:\n    url: a.db\ncategories:\n  subscriber:\n    query: '  '\n",
			[]string{"categories.subscriber.query", "missing"}},
		{"missing url", "sources:\n  app:\n    max_rows: 5\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.url", "missing"}},
		{"bad url scheme", "sources:\n  app:\n    url: mysql://u:pw@h/db\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"line 3", "sources.app.url", "neither a postgres:// URL nor a SQLite"}},
		{"bad postgres url", "sources:\n  app:\n    url: 'postgres://u:pw@h:notaport/db'\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.url", "not a valid"}},
		{"sqlite url that writes", "sources:\n  app:\n    url: 'file:a.db?mode=rw'\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.url", "mode=rw is not allowed"}},
		{"sqlite url with pragma", "sources:\n  app:\n    url: 'file:a.db?_pragma=query_only(0)'\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"_pragma=query_only(0) is not allowed"}},
		{"unknown source type", "sources:\n  app:\n    type: http\n    url: a.db\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.type", `unknown source type "http"`}},
		{"bad source name", "sources:\n  'my app':\n    url: a.db\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.my app", "letters, digits"}},
		{"bad max_rows", "sources:\n  app:\n    url: a.db\n    max_rows: 0\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"line 4", "sources.app.max_rows", "0 is not a positive"}},
		{"max_rows not a number", "sources:\n  app:\n    url: a.db\n    max_rows: many\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"line 4", "many"}},
		{"bad timeout", "sources:\n  app:\n    url: a.db\n    timeout: soon\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.timeout", `"soon" is not a duration`}},
		{"timeout too long", "sources:\n  app:\n    url: a.db\n    timeout: 2h\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"sources.app.timeout", "1ms to 1h"}},
		{"unknown source", "sources:\n  app:\n    url: a.db\ncategories:\n  subscriber:\n    source: db\n    query: " + goodQuery,
			[]string{"categories.subscriber.source", `no source is named "db"`, "app"}},
		{"source needed", "sources:\n  a:\n    url: a.db\n  b:\n    url: b.db\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"categories.subscriber.source", "missing", "a, b"}},
		{"unknown parameter", "sources:\n  app:\n    url: a.db\ncategories:\n  ip_logs:\n    query: SELECT ip FROM logs WHERE user = :target_value AND at >= :form\n",
			[]string{"line 6", "categories.ip_logs.query", "unknown parameter :form", ":target_type, :target_value, :from, :to"}},
		{"no target", "sources:\n  app:\n    url: a.db\ncategories:\n  ip_logs:\n    query: SELECT ip FROM logs WHERE at >= :from\n",
			[]string{"categories.ip_logs.query", "does not use :target_value"}},
		{"two statements", "sources:\n  app:\n    url: a.db\ncategories:\n  ip_logs:\n    query: SELECT ip FROM logs WHERE u = :target_value; DELETE FROM logs\n",
			[]string{"categories.ip_logs.query", "only one statement"}},
		{"positional parameter", "sources:\n  app:\n    url: postgres://h/db\ncategories:\n  ip_logs:\n    query: SELECT ip FROM logs WHERE u = :target_value AND t > $1\n",
			[]string{"positional parameter $1"}},
		{"sqlite parameter", "sources:\n  app:\n    url: a.db\ncategories:\n  ip_logs:\n    query: SELECT ip FROM logs WHERE u = :target_value AND t > ?\n",
			[]string{`SQLite parameter "?"`}},
		{"unterminated string", "sources:\n  app:\n    url: a.db\ncategories:\n  ip_logs:\n    query: \"SELECT ip FROM logs WHERE u = :target_value AND t = 'x\"\n",
			[]string{"unterminated string literal"}},
		{"contact with window", "sources:\n  app:\n    url: a.db\ncontact:\n  query: SELECT email FROM users WHERE u = :target_value AND t > :from\n",
			[]string{"contact.query", "parameter :from cannot be used here"}},
		{"contact without query", "sources:\n  app:\n    url: a.db\ncontact:\n  source: app\n",
			[]string{"contact.query", "missing"}},
		{"alias", "sources:\n  app: &a\n    url: a.db\n  other: *a\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"anchors and aliases"}},
		{"duplicate key", "sources:\n  app:\n    url: a.db\n    url: b.db\ncategories:\n  subscriber:\n    query: " + goodQuery,
			[]string{"line 4", "already defined"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := gather.Parse([]byte(c.file))
			if err == nil {
				s.Close()
				t.Fatalf("no error; want one saying %q", c.want)
			}
			if !errors.Is(err, dueprocess.ErrInvalid) {
				t.Errorf("error kind %s, want invalid", dueprocess.ErrorKind(err))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestPasswordNeverShown checks that neither errors nor String show the
// password of a source's URL.
func TestPasswordNeverShown(t *testing.T) {
	const pw = "hunter2-secret"
	for _, file := range []string{
		"sources:\n  app:\n    url: postgres://reader:" + pw + "@db.example/platform\n    timeout: never\ncategories:\n  subscriber:\n    query: " + goodQuery,
		"sources:\n  app:\n    url: postgres://reader:" + pw + "@db.example:port/platform\ncategories:\n  subscriber:\n    query: " + goodQuery,
		"sources:\n  app:\n    url: 'postgres://reader@db.example/platform?password=" + pw + "&sslmode=bogus'\ncategories:\n  subscriber:\n    query: " + goodQuery,
		"sources:\n  app:\n    url: 'mysql://reader:" + pw + "@db.example/platform'\ncategories:\n  subscriber:\n    query: " + goodQuery,
	} {
		if _, err := gather.Parse([]byte(file)); err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("error %v: want one without the password", err)
		}
	}
	s, err := gather.Parse([]byte("sources:\n  app:\n    url: 'postgres://reader:" + pw + "@db.example/platform?sslpassword=" + pw +
		"'\ncategories:\n  subscriber:\n    query: " + goodQuery))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.String(); strings.Contains(got, pw) || !strings.Contains(got, "reader:xxxxx@db.example") {
		t.Errorf("String() = %q: want the URL with its passwords hidden", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "connectors.yaml")
	if err := os.WriteFile(path, []byte("sources:\n  app:\n    url: a.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := gather.Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of a bad file: %v; want an error naming the file", err)
	}
	if _, err := gather.Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
	s, err := gather.Load("../../docs/connectors/mastodon.yaml")
	if err != nil {
		t.Fatalf("the example profile: %v", err)
	}
	defer s.Close()
	if !s.HasContact() || len(s.Categories()) != 4 {
		t.Errorf("the example profile: %s", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("sources:\n  app:\n    url: a.db\ncategories:\n  subscriber:\n    query: " + goodQuery))
	f.Add([]byte("sources:\n  app:\n    url: postgres://h/db\ncategories:\n  ip_logs:\n    query: SELECT $$:x$$, E'\\':to', x::date FROM t WHERE a = :target_value /* :y /* :z */ */ -- :w\n"))
	if b, err := os.ReadFile("../../docs/connectors/mastodon.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := gather.Parse(data)
		if err != nil {
			if !errors.Is(err, dueprocess.ErrInvalid) {
				t.Errorf("error of kind %s: %v", dueprocess.ErrorKind(err), err)
			}
			return
		}
		_ = s.String()
		s.Close()
	})
}
