package gather_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/dueprocess/dueprocess/internal/gather"
)

// defaultPostgres is the server the tests use unless
// DUEPROCESS_TEST_POSTGRES names another, as in internal/store/storetest.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// platform is an example platform database for a test: its URL for a
// connectors file, and a read-write handle to fill and inspect it.
type platform struct {
	url string
	db  *sql.DB
}

// eachPlatform runs fn on a new SQLite file and on a new PostgreSQL
// database, each made from docs/connectors/mastodon-schema.sql.
func eachPlatform(t *testing.T, fn func(t *testing.T, p platform)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, newSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, newPostgres(t)) })
}

func newSQLite(t testing.TB) platform {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := platform{url: path, db: db}
	p.exec(t, schemaSQL(t))
	return p
}

// newPostgres creates the database gather_<random> on the test server,
// dropped when the test ends. Under CI=true the server is required;
// elsewhere the test skips without it.
func newPostgres(t testing.TB) platform {
	t.Helper()
	base := os.Getenv("DUEPROCESS_TEST_POSTGRES")
	if base == "" {
		base = defaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(context.Background())
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI=true but %s cannot be reached: %v", base, err)
		}
		t.Skipf("PostgreSQL not reachable at %s (%v); start it or set DUEPROCESS_TEST_POSTGRES to run these tests", base, err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "gather_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := platform{url: u.String(), db: db}
	p.exec(t, schemaSQL(t))
	return p
}

func schemaSQL(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/connectors/mastodon-schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (p platform) exec(t testing.TB, query string) {
	t.Helper()
	if _, err := p.db.Exec(query); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
}

func (p platform) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := p.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// profile returns the example profile, docs/connectors/mastodon.yaml,
// pointed at p.
func (p platform) profile(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../docs/connectors/mastodon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p.pointAt(t, b)
}

var urlLine = regexp.MustCompile(`(?m)^(\s+url:).*$`)

// pointAt replaces every source URL in a connectors file with p's.
func (p platform) pointAt(t testing.TB, file []byte) []byte {
	t.Helper()
	if !urlLine.Match(file) {
		t.Fatal("the connectors file has no url line")
	}
	return urlLine.ReplaceAll(file, []byte("${1} "+strconv.Quote(p.url)))
}

// set parses a connectors file pointed at p, closed when the test ends.
func (p platform) set(t testing.TB, file []byte) *gather.Set {
	t.Helper()
	s, err := gather.Parse(file)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
