package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestEmergencyValidationLapsesOnceAcrossServers: emergency orders of
// another authority left without validation are each reminded once and
// refused once, however many servers do the background work at once;
// a validated one and one that needs none are left alone.
func TestEmergencyValidationLapsesOnceAcrossServers(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				db.Now = func() time.Time { return now }
				dbs = append(dbs, db)
			}
			w := newReviewWorld(t, dbs[0])
			submit := func(other bool) string {
				s := w.submission("US", dueDecider(8*time.Hour))
				r := s.Request
				r.Kind, r.LegalProcess.Type = dueprocess.KindEmergency, dueprocess.ProcessEPOC
				r.LegalProcess.RegimeFields = dueprocess.RegimeFields{IssuingState: "DE", IssuingAuthorityType: dueprocess.AuthorityProsecutor}
				if other {
					r.LegalProcess.RegimeFields.IssuingAuthorityType = dueprocess.AuthorityOther
				}
				done, err := dbs[0].Submit(ctx, s)
				if err != nil {
					t.Fatal(err)
				}
				return done.Request.ID
			}
			const n = 12
			for range n {
				submit(true)
			}
			validated, prosecutors := submit(true), submit(false)
			if err := dbs[1].RecordValidation(ctx, validated, &dueprocess.Validation{Name: "AG", Type: dueprocess.AuthorityCourt, Reference: "1"}, w.rae); err != nil {
				t.Fatal(err)
			}
			run := func() (reminded, refused map[string]int) {
				reminded, refused = map[string]int{}, map[string]int{}
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i := range 6 {
					wg.Go(func() {
						for {
							rem, ref, err := dbs[i%2].CheckValidations(ctx, dueprocess.ValidationReminderBefore, 2)
							if err != nil {
								t.Error(err)
								return
							}
							if len(rem)+len(ref) == 0 {
								return
							}
							mu.Lock()
							for _, id := range rem {
								reminded[id]++
							}
							for _, id := range ref {
								refused[id]++
							}
							mu.Unlock()
						}
					})
				}
				wg.Wait()
				return reminded, refused
			}
			now = now.Add(40 * time.Hour)
			if rem, ref := run(); len(rem) != n || len(ref) != 0 {
				t.Fatalf("40 hours in: reminded %v, refused %v; want %d reminded", rem, ref, n)
			} else {
				for id, c := range rem {
					if c != 1 || id == validated || id == prosecutors {
						t.Errorf("%s reminded %d times", id, c)
					}
				}
			}
			now = now.Add(9 * time.Hour)
			rem, ref := run()
			if len(rem) != 0 || len(ref) != n {
				t.Fatalf("49 hours in: reminded %v, refused %v; want %d refused", rem, ref, n)
			}
			for id, c := range ref {
				r, err := dbs[0].Request(ctx, id)
				if c != 1 || err != nil || r.Status != dueprocess.StatusRefused || id == validated || id == prosecutors {
					t.Errorf("%s refused %d times, now %v (%v)", id, c, r.Status, err)
				}
			}
		})
	}
}
