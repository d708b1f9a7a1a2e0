package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// platformDB makes a SQLite file from the example Mastodon-like schema,
// with one account, and returns its path.
func platformDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.db")
	schema, err := os.ReadFile("../../docs/connectors/mastodon-schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(schema) + `
INSERT INTO accounts (id, username, created_at, updated_at) VALUES (1, 'alice', '2026-01-01 00:00:00', '2026-01-01 00:00:00');`); err != nil {
		t.Fatal(err)
	}
	return path
}

// exampleConnectors returns the example profile pointed at the SQLite file.
func exampleConnectors(t *testing.T, platform string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/connectors/mastodon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "url:") {
			line = "    url: " + strconv.Quote(platform)
		}
		out = append(out, line)
	}
	return writeFile(t, "connectors.yaml", strings.Join(out, "\n"))
}

func TestConnectorsCheck(t *testing.T) {
	platform := platformDB(t)
	out, err := cmd(t, nil, "connectors", "check", exampleConnectors(t, platform))
	if err != nil {
		t.Fatalf("check of the example profile: %v\n%s", err, out)
	}
	for _, want := range []string{"subscriber  ok", "ip_logs     ok", "location    none", "content     ok", "contact     ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	// A query that fails, and one that ignores the target.
	bad := writeFile(t, "bad.yaml", `sources:
  platform:
    url: `+strconv.Quote(platform)+`
categories:
  subscriber:
    query: SELECT id FROM accounts WHERE :target_value <> ''
  ip_logs:
    query: SELECT ip FROM no_such_table WHERE user_id = :target_value
  content:
    query: SELECT text FROM statuses WHERE CAST(account_id AS TEXT) = :target_value
`)
	out, err = cmd(t, nil, "connectors", "check", bad)
	if err == nil || !strings.Contains(err.Error(), "2 of 3 queries") {
		t.Errorf("check of a bad file: %v; want 2 of 3 failed", err)
	}
	for _, want := range []string{"subscriber  error  1 rows for a target that matches nothing", "ip_logs     error", "no such table", "content     ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}

	// A file that does not parse names the file and the line.
	broken := writeFile(t, "broken.yaml", "sources:\n  platform:\n    url: x.db\ncategories:\n  emails:\n    query: SELECT 1 WHERE :target_value = ''\n")
	if _, err := cmd(t, nil, "connectors", "check", broken); err == nil || !strings.Contains(err.Error(), "broken.yaml: line 5: categories.emails") {
		t.Errorf("check of a broken file: %v", err)
	}
	if _, err := cmd(t, nil, "connectors", "check", "--help"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("check --help: %v", err)
	}
	var u usageError
	if _, err := cmd(t, nil, "connectors", "check"); !errors.As(err, &u) {
		t.Errorf("check without a file: %v; want a usage error", err)
	}
}

// TestServeRefusesBrokenConnectors: a server never starts with a
// connectors file it could not read whole.
func TestServeRefusesBrokenConnectors(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "p.db"), "DUEPROCESS_DATA": t.TempDir(),
		"DUEPROCESS_CONNECTORS": writeFile(t, "connectors.yaml", "sources:\n  platform:\n    url: x.db\n    passwd: x\n")}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `connectors.yaml: line 4: unknown key "passwd"`) {
		t.Fatalf("serve with a broken connectors file: %v; want a refusal naming the line", err)
	}
	if _, err := os.Stat(vars["DUEPROCESS_DB"]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve created its database before refusing the connectors file: %v", err)
	}
}

// TestServeWithConnectors: serve loads a good connectors file and says so.
func TestServeWithConnectors(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "p.db"), "DUEPROCESS_DATA": t.TempDir(),
		"DUEPROCESS_CONNECTORS": exampleConnectors(t, platformDB(t))}
	base, stop := serve(t, vars)
	defer stop()
	if code, msg := healthz(base); code != 200 {
		t.Errorf("healthz: %d %s", code, msg)
	}
}
