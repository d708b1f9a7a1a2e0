package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestAuditRowidMigration runs SQLite migration 0022 down and up again
// over a log of entries: the tables go back to a separate primary key
// index and become rowid tables again, the log verifies in both forms,
// and its root and entries do not change.
func TestAuditRowidMigration(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	const n = 700
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for i := range n {
			if err := tx.Record(ctx, dueprocess.System, dueprocess.ActionRequestStatus, fmt.Sprintf("request:DP-2026-%06d", i%7),
				map[string]any{"i": i, "to": "in_review"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("migrations", "sqlite", "0022_audit_rowid.sql"))
	if err != nil {
		t.Fatal(err)
	}
	up, down, ok := strings.Cut(string(src), "-- +goose Down")
	if !ok {
		t.Fatal("no Down section in migration 0022")
	}
	log := db.AuditLog()
	_, verifier := testKey(t)
	root, err := audit.TreeHash(ctx, log, n)
	if err != nil {
		t.Fatal(err)
	}
	_, timeline, err := log.ObjectEntries(ctx, "request:DP-2026-000003")
	if err != nil || len(timeline) != n/7 {
		t.Fatalf("timeline before: %d entries, %v", len(timeline), err)
	}
	for _, step := range []struct {
		name, sql, want string
	}{
		{"down", down, "idx    BIGINT PRIMARY KEY"},
		{"up", up, "idx    INTEGER PRIMARY KEY"},
	} {
		if _, err := db.SQL().ExecContext(ctx, step.sql); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var schema string
		if err := db.SQL().QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = 'audit_entries'`).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(schema, step.want) {
			t.Errorf("%s: audit_entries is %s; want %q", step.name, schema, step.want)
		}
		rep, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil)
		if err != nil || rep.Entries != n || rep.Root != root {
			t.Errorf("%s: verify gives %+v, %v; want %d entries and root %v", step.name, rep, err, n, root)
		}
		if _, tl, err := log.ObjectEntries(ctx, "request:DP-2026-000003"); err != nil || len(tl) != len(timeline) || string(tl[5]) != string(timeline[5]) {
			t.Errorf("%s: an object's timeline changed: %d entries, %v", step.name, len(tl), err)
		}
	}
}
