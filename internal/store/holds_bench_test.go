package store_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// benchHolds is how many holds the check benchmark's database holds: a
// platform with a long history of preservation requests.
const benchHolds = 20000

// seedHolds places benchHolds holds, on usernames user-0 … user-N, from
// preservation requests of 500 targets each.
func seedHolds(b *testing.B, db *store.DB) {
	b.Helper()
	a, o := fixture(b, db, "US", "fbi.gov")
	review := func(*dueprocess.Request, []dueprocess.Pause) dueprocess.Decision {
		return dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:bench"}
	}
	for n := 0; n < benchHolds; n += dueprocess.MaxTargets {
		r := &dueprocess.Request{Kind: dueprocess.KindPreservation, Jurisdiction: "US", AgencyID: a.ID, OfficialID: o.ID,
			LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.ProcessSubpoena, Reference: "GJ-1", IssuedBy: "Grand jury"},
			DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber}}
		for i := n; i < n+dueprocess.MaxTargets; i++ {
			r.Targets = append(r.Targets, dueprocess.Target{Type: dueprocess.TargetUsername, Value: fmt.Sprintf("user-%d", i)})
		}
		_, err := db.Submit(ctx, store.Submission{Request: r, By: dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID}, Decide: review,
			Answer: func(r *dueprocess.Request) ([]byte, error) { return json.Marshal(r.ID) }})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHoldCheck measures the platform's question in process: is this
// account held? Half the names asked are held, half are not. Run beside
// BenchmarkFloorIndexRead, one indexed single-row read through the same
// database/sql handle:
//
//	go test ./internal/store -run '^$' -bench 'HoldCheck|FloorIndexRead' -benchtime 3s
func BenchmarkHoldCheck(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			seedHolds(b, db)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Even i: a held name; odd: one never named.
				name := fmt.Sprintf("user-%d", (i*7919)%(2*benchHolds))
				c, err := db.CheckHold(ctx, dueprocess.Target{Type: dueprocess.TargetUsername, Value: name})
				if err != nil {
					b.Fatal(err)
				}
				if want := (i*7919)%(2*benchHolds) < benchHolds; c.Held != want {
					b.Fatalf("%s: held %v, want %v", name, c.Held, want)
				}
			}
		})
	}
}

// BenchmarkFloorIndexRead is the floor of BenchmarkHoldCheck: one read of
// one row by an indexed key of the same shape, through the same handle.
func BenchmarkFloorIndexRead(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d).SQL()
			if _, err := db.Exec(`CREATE TABLE floor (k TEXT NOT NULL, v TEXT NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Exec(`CREATE INDEX floor_k ON floor (k)`); err != nil {
				b.Fatal(err)
			}
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < benchHolds; i++ {
				if _, err := tx.Exec(`INSERT INTO floor (k, v) VALUES ($1, $2)`, fmt.Sprintf("user-%d", i), "active"); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rows, err := db.Query(`SELECT v FROM floor WHERE k = $1`, fmt.Sprintf("user-%d", (i*7919)%(2*benchHolds)))
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
			}
		})
	}
}
