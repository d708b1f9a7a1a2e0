package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestAuditVerifyEntriesCatchTampering checks the store's reading of
// entries for Verify (pgx's raw rows on PostgreSQL, a rowid range on
// SQLite) on both databases, over a log long enough that Verify hashes
// its leaves on several goroutines: an entry changed, deleted, or swapped
// with its neighbour is blamed on the entry where the log goes wrong, and
// the log verifies again once restored.
func TestAuditVerifyEntriesCatchTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 4200
		for start := 0; start < n; start += 1050 {
			err := db.Transact(ctx, func(tx *store.Tx) error {
				for i := start; i < start+1050; i++ {
					if err := tx.Record(ctx, dueprocess.System, dueprocess.ActionRequestStatus, fmt.Sprintf("request:DP-2026-%06d", i),
						map[string]any{"i": i, "to": "in_review"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		log := db.AuditLog()
		_, verifier := testKey(t)
		if rep, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil); err != nil || rep.Entries != n {
			t.Fatalf("honest log: %+v, %v", rep, err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		entry := func(i int64) []byte {
			t.Helper()
			data, err := log.Entry(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
		e3000, e3001 := entry(3000), entry(3001)
		for _, tc := range []struct {
			name            string
			tamper, restore func()
			index           int64
			want            string
		}{
			{"a changed byte", func() {
				bad := bytes.Replace(e3000, []byte("in_review"), []byte("in_reviev"), 1)
				exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3000`, bad)
			}, func() { exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3000`, e3000) }, 3000, "stored hash"},
			{"a deleted entry", func() { exec(`DELETE FROM audit_entries WHERE idx = 3000`) },
				func() {
					exec(`INSERT INTO audit_entries (idx, object, data) VALUES (3000, 'request:DP-2026-003000', $1)`, e3000)
				}, 3000, "missing"},
			{"two entries swapped", func() {
				exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3000`, e3001)
				exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3001`, e3000)
			}, func() {
				exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3000`, e3000)
				exec(`UPDATE audit_entries SET data = $1 WHERE idx = 3001`, e3001)
			}, 3000, "says it is entry 3001"},
		} {
			tc.tamper()
			_, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil)
			var verr *audit.VerifyError
			if !errors.As(err, &verr) || verr.Index != tc.index || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Verify says %v; want entry %d blamed, saying %q", tc.name, err, tc.index, tc.want)
			}
			tc.restore()
			if _, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil); err != nil {
				t.Fatalf("%s, restored: %v", tc.name, err)
			}
		}
	})
}
