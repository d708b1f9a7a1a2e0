package store_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// BenchmarkHalfYearReport builds a half-year's report over a database of
// many stored requests: from the counts kept up to date ("kept"), and by
// recounting every request ("recount"), the way a plain GROUP BY would.
// The number of requests is $DUEPROCESS_BENCH_REQUESTS (default 20,000);
// docs/benchmarks.md gives the figures for 1,000,000:
//
//	DUEPROCESS_BENCH_REQUESTS=1000000 go test ./internal/store -run '^$' -bench HalfYearReport -benchtime 5x -timeout 2h
func BenchmarkHalfYearReport(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("DUEPROCESS_BENCH_REQUESTS")); err == nil && v > 0 {
		n = v
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			seedRequests(b, db, n)
			b.Run("kept", func(b *testing.B) {
				for b.Loop() {
					counts, err := db.ReportCounts(ctx, "2024-H1")
					if err != nil {
						b.Fatal(err)
					}
					if _, err := report.Build("2024-H1", counts, nil, report.Checkpoint{}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("recount", func(b *testing.B) {
				for b.Loop() {
					counts, err := db.RecountReport(ctx, "2024-H1")
					if err != nil {
						b.Fatal(err)
					}
					report.Build("2024-H1", counts, nil, report.Checkpoint{})
				}
			})
		})
	}
}

// seedRequests stores n requests spread over 2019 to 2026 from 20
// jurisdictions, in transactions of 1,000, as an import does.
func seedRequests(b *testing.B, db *store.DB, n int) {
	b.Helper()
	start := time.Now()
	a, o := fixture(b, db, "US", "bench.example")
	juris := []string{"US", "US-CA", "GB", "DE", "FR", "IN", "BR", "HK", "JP", "AU", "CA", "MX", "TR", "IT", "ES", "NL", "PL", "KR", "AR", "ZA"}
	statuses := []dueprocess.Status{dueprocess.StatusDisclosed, dueprocess.StatusNoData, dueprocess.StatusRejected, dueprocess.StatusRefused, dueprocess.StatusPaused}
	for done := 0; done < n; {
		batch := make([]*dueprocess.Request, 0, 1000)
		for i := done; i < n && len(batch) < 1000; i++ {
			batch = append(batch, &dueprocess.Request{AgencyID: a.ID, OfficialID: o.ID,
				Kind: dueprocess.RequestKinds[i%4], Jurisdiction: juris[i%len(juris)], Status: statuses[i%len(statuses)],
				LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.LegalProcessTypes[i%6], Reference: fmt.Sprint("R", i), IssuedBy: "Court"},
				Targets:        []dueprocess.Target{{Type: dueprocess.TargetUsername, Value: fmt.Sprint("u", i)}},
				DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber},
				ReceivedAt:     time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i%2800) * 24 * time.Hour)})
		}
		err := db.TransactAlone(ctx, func(tx *store.Tx) error {
			for _, r := range batch {
				r.ID = ""
			}
			return tx.ImportRequests(ctx, "bench", fmt.Sprint("bench-", done), batch, dueprocess.System)
		})
		if err != nil {
			b.Fatal(err)
		}
		done += len(batch)
	}
	b.Logf("seeded %d requests in %s", n, time.Since(start).Round(time.Second))
}
