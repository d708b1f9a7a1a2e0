package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestAuditVerifyHashRangeCatchesTampering checks the store's reading of
// stored hashes as one range, which Verify uses, on both databases: it
// returns what the list query returns, and a stored hash that is missing,
// of the wrong length or changed is blamed on the entry that added it.
func TestAuditVerifyHashRangeCatchesTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 300
		err := db.Transact(ctx, func(tx *store.Tx) error {
			for i := 0; i < n; i++ {
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
		log := db.AuditLog()
		_, verifier := testKey(t)
		if rep, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil); err != nil || rep.Entries != n {
			t.Fatalf("honest log: %+v, %v", rep, err)
		}

		// The range and the list read the same hashes.
		total := tlog.StoredHashIndex(0, n)
		var run, backwards []int64
		for x := int64(0); x < total; x++ {
			run = append(run, x)
			backwards = append(backwards, total-1-x)
		}
		fromRun, err := log.ReadHashes(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		fromList, err := log.ReadHashes(ctx, backwards)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(fromList)
		if !slices.Equal(fromRun, fromList) {
			t.Fatal("reading stored hashes as a range gives other hashes than reading them as a list")
		}

		// Entry 123 adds three stored hashes (123 ends in two 1 bits);
		// spoil its last, the root of the four entries 120 to 123.
		const owner = 123
		id := tlog.StoredHashIndex(0, owner) + 2
		orig := fromRun[id]
		for _, tc := range []struct {
			name     string
			tamper   string
			args     []any
			want     string
			notFound bool
		}{
			{"deleted", `DELETE FROM audit_hashes WHERE id = $1`, []any{id}, "cannot be read", true},
			{"shortened", `UPDATE audit_hashes SET hash = $2 WHERE id = $1`, []any{id, orig[:31]}, "has 31 bytes", false},
			{"changed", `UPDATE audit_hashes SET hash = $2 WHERE id = $1`, []any{id, append([]byte{orig[0] ^ 1}, orig[1:]...)}, "stored hash", false},
		} {
			if _, err := db.SQL().ExecContext(ctx, tc.tamper, tc.args...); err != nil {
				t.Fatal(err)
			}
			_, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil)
			var verr *audit.VerifyError
			if !errors.As(err, &verr) || verr.Index != owner || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s stored hash %d: Verify says %v; want entry %d blamed, saying %q", tc.name, id, err, owner, tc.want)
			}
			if tc.notFound && !errors.Is(err, dueprocess.ErrNotFound) {
				t.Errorf("%s stored hash: error %v does not keep the store's not-found", tc.name, err)
			}
			if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_hashes WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_hashes (id, hash) VALUES ($1, $2)`, id, orig[:]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil); err != nil {
			t.Fatalf("restored log: %v", err)
		}
	})
}
