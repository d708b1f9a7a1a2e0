package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
)

// TestBackupUnderLoadRestores takes a backup of a SQLite database while 8
// clients submit requests, then checks the copy as a restore would: it
// holds every request acknowledged before the backup began, "audit verify"
// passes on it, and the newest checkpoint published before the backup is
// a prefix of its log.
func TestBackupUnderLoadRestores(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(dir, "d.db"), "DUEPROCESS_DATA": filepath.Join(dir, "data")}
	_, token := registerOfficial(t, vars)
	url, stop := serve(t, vars)
	defer stop()

	var mu sync.Mutex
	var acked []string
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				st, m, err := tryPost(url+"/api/v1/requests", token, walkthroughRequest, fmt.Sprintf("load-%d-%d", c, i))
				if err == nil && st == 201 {
					mu.Lock()
					acked = append(acked, m["id"].(string))
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)

	// The checkpoint the public sees, then the backup, both under load.
	resp, err := http.Get(url + "/api/v1/audit/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	published, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	backup := filepath.Join(dir, "backup.db")
	if _, err := cmd(t, vars, "backup", backup); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	if len(before) == 0 {
		t.Fatal("no request was acknowledged before the backup")
	}

	restored := map[string]string{"DUEPROCESS_DB": backup, "DUEPROCESS_DATA": vars["DUEPROCESS_DATA"]}
	out, err := cmd(t, restored, "audit", "verify")
	if err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("audit verify on the backup: %v\n%s", err, out)
	}
	db, err := store.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range before {
		if _, err := db.Request(context.Background(), id); err != nil {
			t.Fatalf("request %s, acknowledged before the backup, is not in it: %v", id, err)
		}
	}
	_, verifier, _, err := audit.LoadKey(vars["DUEPROCESS_DATA"])
	if err != nil {
		t.Fatal(err)
	}
	var cp struct{ Checkpoint string }
	if err := json.Unmarshal(published, &cp); err != nil || cp.Checkpoint == "" {
		// The endpoint may serve the signed note itself.
		cp.Checkpoint = string(published)
	}
	size, root, err := audit.OpenCheckpoint([]byte(cp.Checkpoint), verifier, verifier.Name())
	if err != nil {
		t.Fatalf("published checkpoint %q: %v", published, err)
	}
	got, err := audit.TreeHash(context.Background(), db.AuditLog(), size)
	if err != nil {
		t.Fatal(err)
	}
	if got != root {
		t.Fatalf("the backup's tree at size %d has root %s; the published checkpoint says %s", size, got, root)
	}
	n, _ := db.AuditLog().Size(context.Background())
	t.Logf("backup holds %d acknowledged requests of %d, a log of %d entries; published checkpoint at %d (%v)",
		len(before), len(acked), n, size, tlog.Hash(root))
}
