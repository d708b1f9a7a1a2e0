package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// These tests are about who may create the audit log's signing key and
// who may sign with it: a command run in another folder than the server's
// used to create a key of its own there and sign the shared log with it,
// after which the log never verified again.

const testAuditOrigin = "dueprocess.test/audit"

// serverFolder makes the folder of a running instance: a database of
// dialect d, its data folder with the log's key, a log with one checkpoint,
// and an entry after it, so that the next checkpoint must be signed.
func serverFolder(t *testing.T, d store.Dialect) map[string]string {
	t.Helper()
	vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(),
		"DUEPROCESS_AUDIT_ORIGIN": testAuditOrigin}
	if _, err := cmd(t, vars, "audit", "key", "init"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "audit", "checkpoint"); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd(t, vars, "agency", "add", "--name", "Metropolitan Police Service", "--jurisdiction", "GB", "--kind", "police", "--domain", "met.police.uk"); err != nil {
		t.Fatal(err)
	}
	return vars
}

// keyID returns the "name+hash" of the key in data.
func keyID(t *testing.T, data string) string {
	t.Helper()
	signer, _, _, err := audit.LoadKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return audit.KeyID(signer.Name(), signer.KeyHash())
}

// strayKey makes a data folder holding a key that is not the log's, as a
// command run in the wrong folder used to leave behind.
func strayKey(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, _, _, err := audit.CreateKey(dir, testAuditOrigin); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkpointSizes returns the sizes of the stored checkpoints.
func checkpointSizes(t *testing.T, vars map[string]string) []int64 {
	t.Helper()
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sizes []int64
	err = db.AuditLog().Checkpoints(context.Background(), func(size int64, _ []byte) error {
		sizes = append(sizes, size)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sizes
}

// emptyDir fails the test if dir holds anything.
func emptyDir(t *testing.T, dir, after string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("after %s, the folder it ran in holds %s; it must create nothing", after, e.Name())
	}
}

func TestReportCreatesNoKey(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := serverFolder(t, d)
			want := keyID(t, vars["DUEPROCESS_DATA"])
			period := dueprocess.HalfYear(time.Now())

			// Another folder, with only the database named.
			other := t.TempDir()
			t.Chdir(other)
			elsewhere := map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"]}
			_, err := cmd(t, elsewhere, "report", "--period", period)
			if err == nil || !strings.Contains(err.Error(), `signed by key "`+want+`"`) || !strings.Contains(err.Error(), "pass --data DIR") {
				t.Errorf("report in another folder, with the log grown: %v; want a refusal naming key %s", err, want)
			}
			emptyDir(t, other, "report")
			for _, args := range [][]string{
				{"audit", "checkpoint"},
				{"audit", "verify"},
				{"audit", "key"},
				{"audit", "show", "0"},
				{"audit", "proof", "inclusion", "--index", "0"},
				{"report", "--period", period, "--format", "csv"},
				{"report", "peers"},
			} {
				cmd(t, elsewhere, args...)
				emptyDir(t, other, strings.Join(args, " "))
			}
			if got := checkpointSizes(t, vars); len(got) != 1 {
				t.Errorf("checkpoints after commands in another folder: %v, want the one the server signed", got)
			}

			// With the server's data folder the report signs a checkpoint
			// with the log's key; once one covers the log, a report needs
			// no key and still creates nothing.
			withData := map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"], "DUEPROCESS_DATA": vars["DUEPROCESS_DATA"]}
			signed := reportOf(t, withData, period)
			if signed.Checkpoint.Size < 2 {
				t.Fatalf("report with the server's data folder names checkpoint %+v", signed.Checkpoint)
			}
			if again := reportOf(t, elsewhere, period); again.Checkpoint != signed.Checkpoint {
				t.Errorf("report without the key names checkpoint %+v, want %+v", again.Checkpoint, signed.Checkpoint)
			}
			emptyDir(t, other, "report")
			if out, err := cmd(t, vars, "audit", "verify"); err != nil || !strings.Contains(out, "ok: ") {
				t.Errorf("verify after all that: %v\n%s", err, out)
			}

			// Without even a database: a reading command says so and
			// leaves no empty database behind.
			if d == store.SQLite {
				if _, err := cmd(t, map[string]string{}, "report", "--period", period); err == nil || !strings.Contains(err.Error(), "no database") {
					t.Errorf("report with no database here: %v", err)
				}
				emptyDir(t, other, "report without a database")
			}
		})
	}
}

// reportOf runs "report --period period" and decodes it.
func reportOf(t *testing.T, vars map[string]string, period string) report.Report {
	t.Helper()
	out, err := cmd(t, vars, "report", "--period", period)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%.300s", err, out)
	}
	return rep
}

func TestCheckpointRefusesWrongKey(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := serverFolder(t, d)
			want := keyID(t, vars["DUEPROCESS_DATA"])
			stray := strayKey(t)
			strayVars := map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"], "DUEPROCESS_DATA": stray}
			before := checkpointSizes(t, vars)

			_, err := cmd(t, strayVars, "audit", "checkpoint")
			wantMsg := `this log's checkpoints are signed by key "` + want + `"; the key in ` +
				filepath.Join(stray, audit.KeyFile) + ` is "` + keyID(t, stray) + `"; run this command in the folder of the server or pass --data DIR`
			if err == nil || !strings.Contains(err.Error(), wantMsg) {
				t.Errorf("checkpoint with a stray key: %v\nwant %s", err, wantMsg)
			}
			// Nothing else signs or publishes with it either.
			for _, args := range [][]string{
				{"report", "--period", dueprocess.HalfYear(time.Now())},
				{"audit", "key"},
				{"audit", "proof", "consistency", "--old", "1"},
			} {
				if out, err := cmd(t, strayVars, args...); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s with a stray key: %v\n%s; want a refusal naming %s", strings.Join(args, " "), err, out, want)
				}
			}
			if got := checkpointSizes(t, vars); len(got) != len(before) {
				t.Errorf("checkpoints %v after the refusals, want %v", got, before)
			}
			if out, err := cmd(t, vars, "audit", "verify"); err != nil || !strings.Contains(out, "ok: ") {
				t.Errorf("verify after the refusal: %v\n%s", err, out)
			}
			// The log's own key still signs.
			if _, err := cmd(t, vars, "audit", "checkpoint"); err != nil {
				t.Fatal(err)
			}
			if out, err := cmd(t, vars, "audit", "verify"); err != nil || !strings.Contains(out, "2 checkpoints checked") {
				t.Errorf("verify after the log's key signed: %v\n%s", err, out)
			}
		})
	}
}

// start runs the program with args until it listens, and returns its base
// URL and a function that stops it and returns its error; or, if it ends
// before listening, "" and the error it ended with.
func start(t *testing.T, vars map[string]string, args ...string) (string, func() error, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, pr)
			return m[1], func() error { cancel(); return <-done }, nil
		}
	}
	cancel()
	return "", nil, <-done
}

// publicCheckpoint fetches the checkpoint the server publishes.
func publicCheckpoint(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url + "/api/v1/audit/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/audit/checkpoint: %d %s", resp.StatusCode, body)
	}
	return body
}

func TestServeRefusesWrongKey(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			vars := serverFolder(t, d)
			want := keyID(t, vars["DUEPROCESS_DATA"])
			stray := strayKey(t)
			serveArgs := []string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"}

			url, stop, err := start(t, map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"], "DUEPROCESS_DATA": stray}, serveArgs...)
			if url != "" {
				stop()
				t.Fatal("serve started with a key that did not sign the log's checkpoints")
			}
			if err == nil || !strings.Contains(err.Error(), `signed by key "`+want+`"`) || !strings.Contains(err.Error(), keyID(t, stray)) {
				t.Errorf("serve with a stray key: %v; want a refusal naming both keys", err)
			}
			if _, err := os.Stat(filepath.Join(stray, "blobs")); err == nil {
				t.Error("serve with a stray key wrote to its data folder before refusing")
			}

			// A data folder without a key, once the log has checkpoints:
			// no new key, nothing written.
			empty := t.TempDir()
			url, stop, err = start(t, map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"], "DUEPROCESS_DATA": empty}, serveArgs...)
			if url != "" {
				stop()
				t.Fatal("serve made a new key for a log that has checkpoints")
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("serve without the key: %v; want a refusal naming %s", err, want)
			}
			emptyDir(t, empty, "serve without the key")

			// With the log's key it serves checkpoints that verify under it.
			url, stop, err = start(t, vars, serveArgs...)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			_, _, vkey, err := audit.LoadKey(vars["DUEPROCESS_DATA"])
			if err != nil {
				t.Fatal(err)
			}
			verifier, err := note.NewVerifier(vkey)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := audit.OpenCheckpoint(publicCheckpoint(t, url), verifier, testAuditOrigin); err != nil {
				t.Errorf("the published checkpoint: %v", err)
			}
		})
	}
}

func TestAuditKeyInit(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": data}
			vkey, err := cmd(t, vars, "audit", "key", "init", "--audit-origin", "example.com/dueprocess")
			if err != nil || !strings.HasPrefix(vkey, "example.com/dueprocess+") {
				t.Fatalf("audit key init printed %q, %v", vkey, err)
			}
			fi, err := os.Stat(filepath.Join(data, audit.KeyFile))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
			}
			if _, err := cmd(t, vars, "audit", "key", "init"); err == nil || !strings.Contains(err.Error(), "already") {
				t.Errorf("a second init: %v; want a refusal", err)
			}
			if got, err := cmd(t, vars, "audit", "key"); err != nil || got != vkey {
				t.Errorf("audit key after a refused init printed %q, %v; want %q", got, err, vkey)
			}

			// The server uses the key made beforehand; its name is the log's.
			if _, err := cmd(t, vars, "agency", "add", "--name", "Bundeskriminalamt", "--jurisdiction", "DE", "--kind", "police", "--domain", "bka.bund.de"); err != nil {
				t.Fatal(err)
			}
			url, stop, err := start(t, vars, "serve", "--addr", "127.0.0.1:0", "--audit-origin", "other.example/audit")
			if err != nil {
				t.Fatal(err)
			}
			published := publicCheckpoint(t, url)
			if err := stop(); err != nil {
				t.Error(err)
			}
			if !strings.HasPrefix(string(published), "example.com/dueprocess\n") {
				t.Errorf("the server published %q, want the origin of the key made by init", published)
			}
			if out, err := cmd(t, vars, "audit", "verify", "--key", vkey); err != nil || !strings.Contains(out, "1 checkpoints checked") {
				t.Errorf("verify with the printed key: %v\n%s", err, out)
			}

			// Once the log has a checkpoint, init elsewhere refuses, naming
			// the key to copy, and creates no key.
			elsewhere := filepath.Join(t.TempDir(), "data")
			_, err = cmd(t, map[string]string{"DUEPROCESS_DB": vars["DUEPROCESS_DB"], "DUEPROCESS_DATA": elsewhere}, "audit", "key", "init")
			if want := keyID(t, data); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("init on a log with checkpoints: %v; want a refusal naming %s", err, want)
			}
			if _, err := os.Stat(filepath.Join(elsewhere, audit.KeyFile)); err == nil {
				t.Error("init on a log with checkpoints created a key")
			}
		})
	}
}

func TestDemoUsesOwnDataFolder(t *testing.T) {
	// The real instance, named by the environment as an operator's shell
	// would: its folder, its key, its database with a checkpoint.
	real := serverFolder(t, store.SQLite)
	realKey := keyID(t, real["DUEPROCESS_DATA"])
	realFiles, _ := os.ReadDir(real["DUEPROCESS_DATA"])
	realSizes := checkpointSizes(t, real)

	dir := t.TempDir()
	t.Chdir(dir)
	url, stop, err := start(t, real, "demo", "--addr", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	published := publicCheckpoint(t, url)
	if err := stop(); err != nil {
		t.Error(err)
	}

	demoData := filepath.Join(dir, "dueprocess-demo-data")
	demoKey := keyID(t, demoData)
	if demoKey == realKey {
		t.Fatal("the demo signs with the real instance's key")
	}
	if got, err := audit.CheckpointKey(published); err != nil || got != demoKey {
		t.Errorf("the demo published a checkpoint signed by %q, %v; want its own key %q", got, err, demoKey)
	}
	if _, err := os.Stat(filepath.Join(dir, "dueprocess-demo.db")); err != nil {
		t.Errorf("the demo's database: %v", err)
	}
	if files, _ := os.ReadDir(real["DUEPROCESS_DATA"]); len(files) != len(realFiles) || keyID(t, real["DUEPROCESS_DATA"]) != realKey {
		t.Errorf("the demo changed the real data folder: %d files, want %d", len(files), len(realFiles))
	}
	if got := checkpointSizes(t, real); len(got) != len(realSizes) {
		t.Errorf("the demo changed the real log's checkpoints: %v, want %v", got, realSizes)
	}

	for _, tc := range []struct{ dsn, want string }{
		{"dueprocess-demo.db", "dueprocess-demo-data"},
		{"/srv/try/demo.sqlite", "/srv/try/demo-data"},
		{"demo", "demo-data"},
		{"postgres://postgres@127.0.0.1/test", "dueprocess-demo-data"},
	} {
		if got := demoDataDir(tc.dsn); got != tc.want {
			t.Errorf("demoDataDir(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}
