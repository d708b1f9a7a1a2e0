package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// BenchmarkIntake measures a submission from HTTP to durable commit: a real
// client over loopback, the whole handler stack, and a committed
// transaction on a real database. Run beside BenchmarkFloorInsert, the
// cost of one durable single-row insert on the same database:
//
//	go test ./internal/web -run '^$' -bench 'Intake|FloorInsert' -benchtime 5s
func BenchmarkIntake(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		// Concurrent clients: GOMAXPROCS × the parallelism (2 cores here).
		for _, parallelism := range []int{4, 16} {
			name := fmt.Sprintf("%s/clients=%d", d, parallelism*runtime.GOMAXPROCS(0))
			b.Run(name, func(b *testing.B) {
				e := newEnv(b, storetest.Open(b, d))
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
				b.SetParallelism(parallelism)
				stmts0, trips0 := e.db.WriteStats()
				b.ResetTimer()
				start := time.Now()
				// Each request rests on a legal process of its own, as real
				// ones do: the same body again would be a duplicate, which
				// the verification signals hold back and alert on.
				var seq atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						body := strings.Replace(hkRequest, "HKPF-2026-0113", fmt.Sprintf("HKPF-BENCH-%d", seq.Add(1)), 1)
						req, _ := http.NewRequest("POST", e.url+"/api/v1/requests", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+e.hk)
						req.Header.Set("Content-Type", "application/json")
						resp, err := client.Do(req)
						if err != nil {
							b.Fatal(err)
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != 201 {
							b.Fatalf("status %d", resp.StatusCode)
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
				if commits, ops := e.db.CommitStats(); commits > 0 {
					b.ReportMetric(float64(ops)/float64(commits), "tx/commit")
				}
				// What the committer sends per request, the group's BEGIN,
				// COMMIT and audit head shared among its requests.
				stmts, trips := e.db.WriteStats()
				b.ReportMetric(float64(stmts-stmts0)/float64(b.N), "stmts/req")
				b.ReportMetric(float64(trips-trips0)/float64(b.N), "trips/req")
			})
		}
	}
}

// BenchmarkFloorInsert commits one row per transaction, one after another,
// on the same database with the same durability settings: the floor that
// intake would sit on if every request paid for its own commit.
func BenchmarkFloorInsert(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d).SQL()
			if _, err := db.Exec(`CREATE TABLE floor (id BIGINT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := db.Exec(`INSERT INTO floor (id, v) VALUES ($1, $2)`, i, "x"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkHoldCheckHTTP measures the platform's check over HTTP with
// concurrent clients: a real client over loopback, the token's lookup, the
// query's checks and the index read. Run beside BenchmarkFloorHTTP, the
// same clients against a handler that answers a fixed body:
//
//	go test ./internal/web -run '^$' -bench 'HoldCheckHTTP|FloorHTTP' -benchtime 3s
func BenchmarkHoldCheckHTTP(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, parallelism := range []int{4, 16} {
			name := fmt.Sprintf("%s/clients=%d", d, parallelism*runtime.GOMAXPROCS(0))
			b.Run(name, func(b *testing.B) {
				e := newEnv(b, storetest.Open(b, d))
				for range 20 {
					if status, m := e.submit(e.hk, preservationRequest); status != 201 {
						b.Fatalf("intake: %d %v", status, m)
					}
				}
				benchGet(b, parallelism, e.url+"/api/v1/holds/check?type=username&value=demosisto", e.platform, `"held": true`)
			})
		}
	}
}

// BenchmarkFloorHTTP is the floor of BenchmarkHoldCheckHTTP: the same
// clients and connections against a handler that writes a fixed answer,
// with no token, no query and no database.
func BenchmarkFloorHTTP(b *testing.B) {
	for _, parallelism := range []int{4, 16} {
		b.Run(fmt.Sprintf("clients=%d", parallelism*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, "{\n  \"held\": true,\n  \"until\": null\n}\n")
			}))
			defer srv.Close()
			benchGet(b, parallelism, srv.URL+"/api/v1/holds/check?type=username&value=demosisto", "t", `"held": true`)
		})
	}
}

// benchGet gets url from parallelism × GOMAXPROCS clients at once and
// reports requests per second; every answer must be 200 and hold want.
func benchGet(b *testing.B, parallelism int, url, token, want string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	b.SetParallelism(parallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				b.Fatalf("status %d: %s", resp.StatusCode, body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
