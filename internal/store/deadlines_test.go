package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// dueDecider decides as resumeDecider does, with the policy's time to
// answer set to within.
func dueDecider(within time.Duration) store.Decider {
	decide := resumeDecider(dueprocess.OutcomeReview)
	return func(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
		d := decide(r, pauses)
		d.DueWithin, d.DueRule = within, "test"
		return d
	}
}

func TestSubmitSetsDueAt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := newReviewWorld(t, db)

		s := w.submission("HK", dueDecider(8*time.Hour))
		s.Request.Deadline = dueprocess.Date{}
		done, err := db.Submit(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := now.Add(8 * time.Hour); !done.Request.DueAt.Equal(want) || !w.request(done.Request).DueAt.Equal(want) {
			t.Errorf("without a deadline: due %v (stored %v), want %v", done.Request.DueAt, w.request(done.Request).DueAt, want)
		}
		// The request's own deadline wins: the end of that day.
		done, err = db.Submit(ctx, w.submission("HK", dueDecider(8*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 4, 1, 23, 59, 59, 0, time.UTC)
		if got := w.request(done.Request).DueAt; !got.Equal(want) {
			t.Errorf("with deadline 2026-04-01: due %v, want %v", got, want)
		}
	})
}

func TestOverdueListingAndCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := newReviewWorld(t, db)
		submit := func(within time.Duration) *dueprocess.Request {
			s := w.submission("US", dueDecider(within))
			s.Request.Deadline = dueprocess.Date{}
			done, err := db.Submit(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			return done.Request
		}
		late := submit(48 * time.Hour)
		soon := submit(12 * time.Hour)
		submit(30 * 24 * time.Hour)
		paused := submit(1 * time.Hour)
		w.pause("US") // a paused request waits by choice: not overdue
		now = now.Add(72 * time.Hour)

		list, err := db.Requests(ctx, dueprocess.RequestFilter{Overdue: true, ByDue: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		// The pause moved every open US request to paused; resume and look again.
		if len(ids) != 0 {
			t.Errorf("overdue while paused: %v, want none", ids)
		}
		w.resume("US", dueDecider(0))
		list, _ = db.Requests(ctx, dueprocess.RequestFilter{Overdue: true, ByDue: true})
		ids = nil
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		if want := []string{paused.ID, soon.ID, late.ID}; !slices.Equal(ids, want) {
			t.Errorf("overdue, soonest first: %v, want %v", ids, want)
		}
		if n, err := db.Overdue(ctx); err != nil || n != 3 {
			t.Errorf("Overdue() = %d, %v; want 3", n, err)
		}
		w.do(func(tx *store.Tx) error { return tx.Withdraw(ctx, late.ID, "no longer needed", dueprocess.System) })
		if n, _ := db.Overdue(ctx); n != 2 {
			t.Errorf("after one is withdrawn, Overdue() = %d, want 2", n)
		}
	})
}

// TestRemindDueOnce: assigned staff get one reminder per request, from any
// number of servers reminding at once, and only when it is due soon.
func TestRemindDueOnce(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
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
			const n = 30
			var due []*dueprocess.Request
			for i := range n + 1 {
				s := w.submission("US", dueDecider(48*time.Hour))
				s.Request.Deadline = dueprocess.Date{}
				done, err := dbs[0].Submit(ctx, s)
				if err != nil {
					t.Fatal(err)
				}
				if i == n {
					break // the last is assigned to nobody
				}
				due = append(due, done.Request)
				w.do(func(tx *store.Tx) error { return tx.Assign(ctx, done.Request.ID, w.rae.ID, w.admin) })
				w.do(func(tx *store.Tx) error { return tx.Assign(ctx, done.Request.ID, w.ann.ID, w.admin) })
			}
			if got, err := dbs[0].RemindDue(ctx, 24*time.Hour, 100); err != nil || len(got) != 0 {
				t.Fatalf("two days before: reminded %v, %v; want none", got, err)
			}
			now = now.Add(25 * time.Hour) // due within 24 hours now
			var mu sync.Mutex
			count := map[string]int{}
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					for {
						got, err := dbs[i%2].RemindDue(ctx, 24*time.Hour, 3)
						if err != nil {
							t.Error(err)
							return
						}
						if len(got) == 0 {
							return
						}
						mu.Lock()
						for _, id := range got {
							count[id]++
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			for _, r := range due {
				if count[r.ID] != 1 {
					t.Errorf("%s reminded %d times, want once", r.ID, count[r.ID])
				}
			}
			if len(count) != n {
				t.Errorf("%d requests reminded, want %d", len(count), n)
			}
			mail, err := dbs[1].Outbox(ctx, store.OutboxFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			if len(mail) != 2*n {
				t.Fatalf("%d reminders queued, want %d (two staff on each of %d requests)", len(mail), 2*n, n)
			}
			m := mail[0]
			if m.Kind != dueprocess.MailDeadlineReminder || (m.To != w.rae.Email && m.To != w.ann.Email) ||
				!strings.Contains(m.Subject, "is due 2026-03-04 09:30") || m.RequestID == "" || strings.Contains(m.Body, "demosisto") {
				t.Errorf("reminder: %+v", m)
			}
		})
	}
}

// TestDeadlinesMigrationBackfill runs the UPDATE of migration 0019 over
// requests stored without due_at: the end of their deadline's day, or 30
// days after receipt, in the stored form that sorts by time.
func TestDeadlinesMigrationBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		withDeadline := w.submit("US", dueDecider(time.Hour))
		s := w.submission("US", dueDecider(time.Hour))
		s.Request.Deadline = dueprocess.Date{}
		done, err := db.Submit(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		noDeadline := done.Request
		src, err := os.ReadFile(filepath.Join("migrations", string(db.Dialect()), "0019_deadlines.sql"))
		if err != nil {
			t.Fatal(err)
		}
		start := strings.Index(string(src), "UPDATE requests")
		end := strings.Index(string(src), "END;")
		if start < 0 || end < start {
			t.Fatal("no backfill UPDATE in migration 0019")
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE requests SET due_at = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, string(src[start:end+3])); err != nil {
			t.Fatal(err)
		}
		if got, want := w.request(withDeadline).DueAt, time.Date(2026, 4, 1, 23, 59, 59, 0, time.UTC); !got.Equal(want) {
			t.Errorf("with a deadline: due %v, want %v", got, want)
		}
		if got, want := w.request(noDeadline).DueAt, noDeadline.ReceivedAt.Add(30*24*time.Hour); !got.Equal(want) {
			t.Errorf("without: due %v, want %v", got, want)
		}
		// The overdue listing compares stored values: they must sort as times.
		list, err := db.Requests(ctx, dueprocess.RequestFilter{ByDue: true})
		if err != nil || len(list) != 2 || list[0].ID != withDeadline.ID {
			t.Errorf("by due after the backfill: %v, %v", list, err)
		}
	})
}
