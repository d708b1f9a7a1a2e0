package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
)

// auditedDB makes a SQLite database with a log of some entries and two
// checkpoints, through the command line, and returns its settings.
func auditedDB(t *testing.T) map[string]string {
	t.Helper()
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "log.db"), "DUEPROCESS_DATA": t.TempDir(),
		"DUEPROCESS_AUDIT_ORIGIN": "dueprocess.test/audit"}
	if _, err := cmd(t, vars, "audit", "key", "init"); err != nil {
		t.Fatal(err)
	}
	agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}
	cmd(t, vars, "official", "add", "--agency", agency, "--email", "officer@police.gov.hk", "--name", "Officer Chan")
	if _, err := cmd(t, vars, "audit", "checkpoint"); err != nil {
		t.Fatal(err)
	}
	cmd(t, vars, "staff", "add", "--email", "rev@example.com", "--name", "Rev", "--role", "reviewer")
	cmd(t, vars, "jurisdiction", "pause", "HK", "--reason", "due diligence")
	cmd(t, vars, "jurisdiction", "resume", "HK", "--reason", "done")
	if _, err := cmd(t, vars, "audit", "checkpoint"); err != nil {
		t.Fatal(err)
	}
	return vars
}

// tampered copies the database of vars and changes it with fn.
func tampered(t *testing.T, vars map[string]string, fn func(db *store.DB) error) map[string]string {
	t.Helper()
	data, err := os.ReadFile(vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	copyVars := map[string]string{}
	for k, v := range vars {
		copyVars[k] = v
	}
	copyVars["DUEPROCESS_DB"] = filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyVars["DUEPROCESS_DB"], data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), copyVars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := fn(db); err != nil {
		t.Fatal(err)
	}
	return copyVars
}

func TestAuditCommands(t *testing.T) {
	vars := auditedDB(t)
	out, err := cmd(t, vars, "audit", "verify")
	if err != nil || !strings.Contains(out, "ok: ") || !strings.Contains(out, "2 checkpoints checked") {
		t.Fatalf("verify of an honest log: %v\n%s", err, out)
	}
	key, err := cmd(t, vars, "audit", "key")
	if err != nil || !strings.HasPrefix(key, "dueprocess.test/audit+") {
		t.Errorf("audit key: %q %v", key, err)
	}
	if out, err := cmd(t, vars, "audit", "verify", "--key", key); err != nil || !strings.Contains(out, "ok: ") {
		t.Errorf("verify with the key given: %v\n%s", err, out)
	}
	show, err := cmd(t, vars, "audit", "show", "0")
	if err != nil || !strings.Contains(show, `"action": "agency.created"`) || !strings.Contains(show, "leaf: ") {
		t.Errorf("audit show 0: %v\n%s", err, show)
	}
	proof, err := cmd(t, vars, "audit", "proof", "inclusion", "--index", "2")
	if err != nil || len(strings.Fields(proof)) == 0 {
		t.Errorf("inclusion proof: %v\n%s", err, proof)
	}
	if _, err := cmd(t, vars, "audit", "proof", "consistency", "--old", "3"); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	if _, err := cmd(t, vars, "audit", "proof", "inclusion", "--index", "999"); err == nil || !strings.Contains(err.Error(), "--index") {
		t.Errorf("proof of an entry beyond the log: %v", err)
	}

	db, _ := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	size, _ := db.AuditLog().Size(context.Background())
	db.Close()
	flip := func(b []byte, i int) []byte { b = append([]byte(nil), b...); b[i%len(b)] ^= 1; return b }
	for _, tc := range []struct {
		name string
		fn   func(db *store.DB) error
		want string
	}{
		{"a byte of an entry", func(db *store.DB) error {
			var data []byte
			db.SQL().QueryRow(`SELECT data FROM audit_entries WHERE idx = 3`).Scan(&data)
			_, err := db.SQL().Exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3`, flip(data, 40))
			return err
		}, "entry 3"},
		{"a stored hash", func(db *store.DB) error {
			var h []byte
			id := tlog.StoredHashIndex(0, 4)
			db.SQL().QueryRow(`SELECT hash FROM audit_hashes WHERE id = $1`, id).Scan(&h)
			_, err := db.SQL().Exec(`UPDATE audit_hashes SET hash = $1 WHERE id = $2`, flip(h, 7), id)
			return err
		}, "entry 4"},
		{"a byte of a checkpoint", func(db *store.DB) error {
			var text []byte
			db.SQL().QueryRow(`SELECT text FROM audit_checkpoints ORDER BY size LIMIT 1`).Scan(&text)
			_, err := db.SQL().Exec(`UPDATE audit_checkpoints SET text = $1 WHERE size = (SELECT MIN(size) FROM audit_checkpoints)`, flip(text, 30))
			return err
		}, "checkpoint"},
		{"a deleted entry", func(db *store.DB) error {
			_, err := db.SQL().Exec(`DELETE FROM audit_entries WHERE idx = 2`)
			return err
		}, "entry 2"},
		{"two entries swapped", func(db *store.DB) error {
			for _, q := range []string{`UPDATE audit_entries SET idx = -1 WHERE idx = 1`, `UPDATE audit_entries SET idx = 1 WHERE idx = 2`,
				`UPDATE audit_entries SET idx = 2 WHERE idx = -1`} {
				if _, err := db.SQL().Exec(q); err != nil {
					return err
				}
			}
			return nil
		}, "entry 1"},
		{"a truncated log", func(db *store.DB) error {
			if _, err := db.SQL().Exec(`DELETE FROM audit_entries WHERE idx >= $1`, size-2); err != nil {
				return err
			}
			_, err := db.SQL().Exec(`UPDATE audit_head SET size = $1`, size-2)
			return err
		}, "checkpoint"},
		{"another tree of the same size, signed with the right key", func(db *store.DB) error {
			signer, _, _, err := audit.LoadKey(vars["DUEPROCESS_DATA"])
			if err != nil {
				return err
			}
			forged, err := audit.Sign(signer, signer.Name(), size, tlog.Hash{1, 2, 3})
			if err != nil {
				return err
			}
			_, err = db.SQL().Exec(`UPDATE audit_checkpoints SET text = $1 WHERE size = $2`, forged, size)
			return err
		}, "checkpoint"},
	} {
		bad := tampered(t, vars, tc.fn)
		_, err := cmd(t, bad, "audit", "verify")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: verify says %v; want a failure naming %q", tc.name, err, tc.want)
		}
	}
}
