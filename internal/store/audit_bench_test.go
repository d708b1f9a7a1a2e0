package store_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// BenchmarkAuditAppend measures a write transaction that makes one small
// change (a counter) and appends its audit entry, as every state change
// does: sequentially, and from 16 clients at once, whose transactions the
// store commits in groups.
func BenchmarkAuditAppend(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			op := func(i int) error {
				return db.Transact(ctx, func(tx *store.Tx) error {
					if _, err := tx.NextNumber(ctx, "bench"); err != nil {
						return err
					}
					return tx.Record(ctx, dueprocess.System, "bench.appended", "bench:1", map[string]any{"i": i})
				})
			}
			b.Run("sequential", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if err := op(i); err != nil {
						b.Fatal(err)
					}
					i++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
			b.Run("clients=16", func(b *testing.B) {
				b.SetParallelism(8) // 8 × GOMAXPROCS(2) = 16 clients
				b.RunParallel(func(pb *testing.PB) {
					for i := 0; pb.Next(); i++ {
						if err := op(i); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
		})
	}
}

// BenchmarkAuditVerify measures audit.Verify over a log of 20,000
// entries on each database, beside plain sha256 over the same bytes: the
// floor for recomputing every leaf.
func BenchmarkAuditVerify(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) { benchmarkAuditVerify(b, d) })
	}
}

func benchmarkAuditVerify(b *testing.B, d store.Dialect) {
	const n = 20_000
	db := storetest.Open(b, d)
	for start := 0; start < n; start += 500 {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			for i := start; i < start+500; i++ {
				if err := tx.Record(ctx, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_0123456789abcdef"}, dueprocess.ActionRequestStatus,
					fmt.Sprintf("request:DP-2026-%06d", i), map[string]any{"from": "in_review", "to": "awaiting_approval", "detail": "review: approve"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	log := db.AuditLog()
	var entries [][]byte
	var total int64
	err := log.Entries(ctx, 0, n, func(_ int64, data []byte) error {
		entries = append(entries, append([]byte(nil), data...))
		total += int64(len(data))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	_, verifier := testKey(b)
	b.Run("verify", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			rep, err := audit.Verify(ctx, log, verifier, verifier.Name(), nil)
			if err != nil || rep.Entries != n {
				b.Fatal(rep, err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("sha256-same-bytes", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			for _, e := range entries {
				sha256.Sum256(e)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}
