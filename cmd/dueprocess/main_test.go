package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// cmd runs the program once with the given settings and returns stdout.
func cmd(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		t.Logf("dueprocess %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), err
}

// serve starts "dueprocess serve" on a free port and returns its base URL
// and a function that stops it and waits for it to exit.
func serve(t *testing.T, vars map[string]string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, pr)
			return m[1], func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}
		}
	}
	cancel()
	t.Fatalf("serve exited before listening: %v", <-done)
	return "", nil
}

// registerOfficial registers the Hong Kong police and one of its officials,
// as the README does, and returns the agency's id and the official's token.
func registerOfficial(t *testing.T, vars map[string]string) (agency, token string) {
	t.Helper()
	agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	token, err = cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
	if err != nil {
		t.Fatal(err)
	}
	return agency, token
}

func post(t *testing.T, url, token, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, req)
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	st, m, err := do(req)
	if err != nil {
		t.Fatal(err)
	}
	return st, m
}

func do(req *http.Request) (int, map[string]any, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, m, nil
}

// tryPost submits a request with an idempotency key, returning transport
// errors instead of failing the test.
func tryPost(url, token, body, key string) (int, map[string]any, error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	return do(req)
}

const walkthroughRequest = `{"kind": "user_data", "jurisdiction": "HK",
 "legal_process": {"type": "subpoena", "reference": "HKPF-2026-0113", "issued_by": "Hong Kong Police Force", "issued_on": "2026-03-01"},
 "offence": {"category": "subversion", "description": "posts calling for a boycott"},
 "targets": [{"type": "username", "value": "demosisto"}],
 "data_categories": ["subscriber", "ip_logs"],
 "date_range": {"from": "2026-01-01", "to": "2026-03-01"},
 "nondisclosure": {"until": "2026-12-31"},
 "deadline": "2026-04-01"}`

// TestWalkthrough follows the README: register an agency and an official,
// submit a request, read it back; then restart the server and find it
// still there. It runs on SQLite and on PostgreSQL.
func TestWalkthrough(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir()}
			agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
			if err != nil || !strings.HasPrefix(agency, "ag_") {
				t.Fatalf("agency add printed %q, %v; want an id", agency, err)
			}
			token, err := cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
			if err != nil || !strings.HasPrefix(token, "dpt_") {
				t.Fatalf("official add printed %q, %v; want a token", token, err)
			}
			staff, err := cmd(t, vars, "staff", "add", "--email", "rev@example.com", "--name", "Rev", "--role", "reviewer,approver")
			if err != nil || !strings.HasPrefix(staff, "dpt_") {
				t.Fatalf("staff add printed %q, %v; want a token", staff, err)
			}

			url, stop := serve(t, vars)
			st, m := post(t, url+"/api/v1/requests", token, walkthroughRequest, "Idempotency-Key", "walk-1")
			if st != 201 {
				t.Fatalf("submit: %d %v", st, m)
			}
			id, status := m["id"].(string), m["status"]
			stop()

			// A restart keeps everything, the idempotency key included.
			url, stop = serve(t, vars)
			defer stop()
			if st, m := get(t, url+"/api/v1/requests/"+id, token); st != 200 || m["status"] != status {
				t.Errorf("after restart: %d %v", st, m)
			}
			if st, m := post(t, url+"/api/v1/requests", token, walkthroughRequest, "Idempotency-Key", "walk-1"); st != 201 || m["id"] != id {
				t.Errorf("retry after restart: %d %v, want the first answer %s", st, m["id"], id)
			}
			if st, m := get(t, url+"/api/v1/requests?kind=user_data", staff); st != 200 || len(m["requests"].([]any)) != 1 {
				t.Errorf("staff listing: %d %v", st, m)
			}
			if st, _ := get(t, url+"/healthz", ""); st != 200 {
				t.Errorf("healthz: %d", st)
			}
		})
	}
}

func TestServeRefusesSchemaBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A database that has seen migrations, but not all of them.
	if _, err := db.SQL().Exec(`CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))`); err != nil {
		t.Fatal(err)
	}
	db.SQL().Exec(`INSERT INTO schema_migrations (version_id, is_applied) VALUES (0, 1)`)
	db.Close()

	vars := map[string]string{"DUEPROCESS_DB": path, "DUEPROCESS_DATA": t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, nil, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "dueprocess migrate") {
		t.Fatalf("serve on a schema that is behind: %v; want a refusal that says to migrate", err)
	}
	if _, err := cmd(t, vars, "migrate"); err != nil {
		t.Fatal(err)
	}
	url, stop := serve(t, vars)
	defer stop()
	if st, _ := get(t, url+"/healthz", ""); st != 200 {
		t.Errorf("healthz after migrate: %d", st)
	}
}

func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"agency", "add", "--help"}, {"agency", "list", "--help"},
		{"official", "add", "--help"}, {"staff", "add", "--help"}, {"agency", "--help"},
		{"agency", "set-contact", "--help"}, {"agency", "set-key", "--help"}, {"agency", "suspend", "--help"}, {"official", "suspend", "--help"}, {"official", "reinstate", "--help"},
		{"token", "issue", "--help"}, {"token", "revoke", "--help"},
		{"jurisdiction", "pause", "--help"}, {"jurisdiction", "resume", "--help"}, {"jurisdiction", "show", "--help"},
		{"jurisdiction", "list", "--help"}, {"policy", "show-default", "--help"}, {"policy", "check", "--help"},
		{"policy", "simulate", "--help"}, {"backup", "--help"}, {"report", "--help"}, {"audit", "key", "--help"}, {"audit", "key", "init", "--help"},
		{"audit", "checkpoint", "--help"}, {"audit", "verify", "--help"}, {"report", "--help"}, {"demo", "--help"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, nil, io.Discard, &stderr)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(stderr.String(), "Usage: dueprocess") {
			t.Errorf("%v printed no usage:\n%s", args, stderr.String())
		}
	}
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "x.db")}
	for _, args := range [][]string{{}, {"frobnicate"}, {"agency"}, {"agency", "remove"}, {"serve", "--port", "1"}, {"agency", "add", "--kind", "army", "--name", "x", "--jurisdiction", "HK", "--domain", "a.hk"},
		{"jurisdiction", "pause"}, {"jurisdiction", "pause", "HK"}, {"jurisdiction", "pause", "HK", "--reason", "x", "--kinds", "user"},
		{"jurisdiction", "pause", "HK", "DE", "--reason", "x"}, {"policy", "check"}, {"token", "revoke"}} {
		_, err := cmd(t, vars, args...)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}
