package store_test

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// clock is a test clock that tests move by hand.
type clock struct{ ns atomic.Int64 }

func newClock(db ...*store.DB) *clock {
	c := &clock{}
	c.set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	for _, d := range db {
		d.Now = c.now
	}
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }
func days(n int) time.Duration       { return time.Duration(n) * 24 * time.Hour }
func (w *reviewWorld) holds(id string) []*dueprocess.Hold {
	w.t.Helper()
	list, err := w.db.Holds(ctx, dueprocess.HoldFilter{RequestID: id})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// submitKind submits a request of kind from jurisdiction through intake,
// decided by decide.
func (w *reviewWorld) submitKind(kind dueprocess.RequestKind, jurisdiction string, decide store.Decider) *dueprocess.Request {
	w.t.Helper()
	s := w.submission(jurisdiction, decide)
	s.Request.Kind = kind
	done, err := w.db.Submit(ctx, s)
	if err != nil {
		w.t.Fatal(err)
	}
	return done.Request
}

func (w *reviewWorld) check(typ dueprocess.TargetType, value string) dueprocess.HoldCheck {
	w.t.Helper()
	c, err := w.db.CheckHold(ctx, dueprocess.Target{Type: typ, Value: value})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func wantKind(t *testing.T, what string, err error, kind dueprocess.Kind) {
	t.Helper()
	if dueprocess.ErrorKind(err) != kind {
		t.Errorf("%s: %v, want a %v error", what, err, kind)
	}
}

// TestHoldPlacedAtIntake checks that a preservation request the policy
// sends to review gets one hold per target on its jurisdiction's terms,
// that the platform's check sees them, and that a request held by a pause
// gets none until the resume sends it to review.
func TestHoldPlacedAtIntake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		db.HoldTerms = func(j string) dueprocess.HoldTerms {
			if j == "US" {
				return dueprocess.HoldTerms{Days: 60, ExtensionDays: 30}
			}
			return dueprocess.DefaultHoldTerms
		}
		w := newReviewWorld(t, db)
		r := w.submitKind(dueprocess.KindPreservation, "US", w.reviewDecide)
		hs := w.holds(r.ID)
		if len(hs) != 2 {
			t.Fatalf("%d holds, want one per target (2): %+v", len(hs), hs)
		}
		for _, h := range hs {
			if h.Status != dueprocess.HoldActive || !h.ExpiresAt.Equal(c.now().Add(days(60))) || h.ExtensionDays != 30 {
				t.Errorf("hold %+v, want active for the US's 60 days with 30 more", h)
			}
		}
		if got := w.check(dueprocess.TargetUsername, "demosisto"); !got.Held || got.Until == nil || !got.Until.Equal(c.now().Add(days(60))) {
			t.Errorf("check: %+v, want held until the hold's end", got)
		}
		if got := w.check(dueprocess.TargetUsername, "someone-else"); got.Held || got.Until != nil {
			t.Errorf("check of a target never named: %+v, want not held", got)
		}
		// A user_data request places no hold.
		u := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		if n := len(w.holds(u.ID)); n != 0 {
			t.Errorf("a user_data request has %d holds, want none", n)
		}

		w.pause("HK")
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		if p.Status != dueprocess.StatusPaused || len(w.holds(p.ID)) != 0 {
			t.Fatalf("paused preservation request: %s with %d holds, want paused with none", p.Status, len(w.holds(p.ID)))
		}
		c.add(days(1))
		w.resume("HK", w.reviewDecide)
		hs = w.holds(p.ID)
		if len(hs) != 2 || hs[0].Status != dueprocess.HoldActive || !hs[0].ExpiresAt.Equal(c.now().Add(days(90))) {
			t.Fatalf("after the resume: %+v, want two active holds for 90 days from the resume", hs)
		}
		// Escalated: no hold until the human-rights officer sends it on.
		e := w.submitKind(dueprocess.KindPreservation, "HK", w.escalateDecide)
		if len(w.holds(e.ID)) != 0 {
			t.Errorf("escalated preservation request has holds, want none yet")
		}
		w.assess(e)
		if len(w.holds(e.ID)) != 2 {
			t.Errorf("after the assessment: %d holds, want 2", len(w.holds(e.ID)))
		}
		w.checkCounts("after holds")
	})
}

// TestHoldExtendOnce checks the official's one extension, and that a
// second one, another agency's, and a user_data request are refused.
func TestHoldExtendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		w := newReviewWorld(t, db)
		r := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		first := w.holds(r.ID)[0].ExpiresAt
		by := dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: r.OfficialID}
		_, err := db.ExtendHolds(ctx, r.ID, w.agencies["US"][0], by)
		wantKind(t, "extend another agency's request", err, dueprocess.NotFound)
		c.add(days(80))
		hs, err := db.ExtendHolds(ctx, r.ID, r.AgencyID, by)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range w.holds(r.ID) {
			if h.Status != dueprocess.HoldExtended || !h.ExpiresAt.Equal(first.Add(days(90))) || h.ExtendedAt == nil {
				t.Errorf("after extending: %+v, want extended by 90 days", h)
			}
		}
		if len(hs) != 2 {
			t.Errorf("extend returned %d holds, want 2", len(hs))
		}
		_, err = db.ExtendHolds(ctx, r.ID, r.AgencyID, by)
		wantKind(t, "a second extension", err, dueprocess.Conflict)
		u := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		_, err = db.ExtendHolds(ctx, u.ID, u.AgencyID, by)
		wantKind(t, "extend a user_data request", err, dueprocess.Conflict)
	})
}

// TestHoldExtendConcurrently extends one request's holds from many
// goroutines at once: exactly one succeeds.
func TestHoldExtendConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		w := newReviewWorld(t, db)
		r := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		by := dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: r.OfficialID}
		var ok, conflict atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, err := db.ExtendHolds(ctx, r.ID, r.AgencyID, by)
				switch {
				case err == nil:
					ok.Add(1)
				case dueprocess.ErrorKind(err) == dueprocess.Conflict:
					conflict.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 || conflict.Load() != 19 {
			t.Errorf("%d extensions went through and %d were refused, want 1 and 19", ok.Load(), conflict.Load())
		}
	})
}

// TestHoldKeptByUserDataRequest checks that a later user_data request
// naming a held target keeps the hold past its term (superseded) until
// the request is withdrawn or closed, and that the hold then ends or
// returns to its term.
func TestHoldKeptByUserDataRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		w := newReviewWorld(t, db)
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		end := w.holds(p.ID)[0].ExpiresAt
		c.add(days(10))
		u1 := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		u2 := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldSuperseded || !slices.Equal(h.LinkedRequests, []string{u1.ID, u2.ID}) {
				t.Errorf("hold %+v, want superseded and linked to %s and %s", h, u1.ID, u2.ID)
			}
		}
		// Withdrawing one of two: still kept. Within the term, the other
		// ending returns it to its term.
		if err := db.Withdraw(ctx, u1.ID, "wrong account", dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: u1.OfficialID}); err != nil {
			t.Fatal(err)
		}
		if h := w.holds(p.ID)[0]; h.Status != dueprocess.HoldSuperseded {
			t.Errorf("after one of two requests was withdrawn: %s, want superseded", h.Status)
		}
		c.set(end.Add(days(30)))
		if work, err := db.RunHolds(ctx, 0); err != nil || len(work.Expired) != 0 {
			t.Errorf("the loop past the term of a kept hold: %+v, %v; want nothing expired", work, err)
		}
		if got := w.check(dueprocess.TargetUsername, "demosisto"); !got.Held || got.Until != nil {
			t.Errorf("check of a kept hold past its term: %+v, want held with no end", got)
		}
		if err := db.Withdraw(ctx, u2.ID, "done", dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: u2.OfficialID}); err != nil {
			t.Fatal(err)
		}
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldExpired || h.EndedAt == nil {
				t.Errorf("after the last request keeping it ended, past its term: %+v, want expired", h)
			}
		}
		if got := w.check(dueprocess.TargetUsername, "demosisto"); got.Held {
			t.Errorf("check after the hold ended: %+v, want not held", got)
		}
	})
}

// TestHoldReturnsToItsTerm checks that a kept hold whose request ends
// before the hold's own term goes back to active.
func TestHoldReturnsToItsTerm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		w := newReviewWorld(t, db)
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		u := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		if err := db.Withdraw(ctx, u.ID, "done", dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: u.OfficialID}); err != nil {
			t.Fatal(err)
		}
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldActive {
				t.Errorf("hold %+v, want active again", h)
			}
		}
		// Withdrawing the preservation request releases its holds.
		if err := db.Withdraw(ctx, p.ID, "no longer needed", dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: p.OfficialID}); err != nil {
			t.Fatal(err)
		}
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldReleased {
				t.Errorf("after withdrawing the preservation request: %s, want released", h.Status)
			}
		}
	})
}

// TestHoldRelease checks staff's early release, once.
func TestHoldRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		w := newReviewWorld(t, db)
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		var id string
		for _, h := range w.holds(p.ID) {
			if h.Target.Type == dueprocess.TargetUsername {
				id = h.ID
			}
		}
		h, err := db.ReleaseHold(ctx, id, "the agency asked by phone", w.admin)
		if err != nil || h.Status != dueprocess.HoldReleased || h.EndReason != "the agency asked by phone" {
			t.Fatalf("release: %+v, %v", h, err)
		}
		_, err = db.ReleaseHold(ctx, id, "again", w.admin)
		wantKind(t, "a second release", err, dueprocess.Conflict)
		_, err = db.ReleaseHold(ctx, "hd_missing", "no such hold", w.admin)
		wantKind(t, "release of a missing hold", err, dueprocess.NotFound)
		if got := w.check(dueprocess.TargetUsername, "demosisto"); got.Held {
			t.Errorf("check after release: %+v, want not held", got)
		}
		if got := w.check(dueprocess.TargetEmail, "someone@example.org"); !got.Held {
			t.Errorf("check of the other target: %+v, want held", got)
		}
	})
}

// TestHoldExpiresOnTime moves the clock to a day before the reminder, to
// the reminder, and past the end, and runs the loop at each step.
func TestHoldExpiresOnTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		w := newReviewWorld(t, db)
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		end := w.holds(p.ID)[0].ExpiresAt
		run := func(when string, expired, reminded int) {
			t.Helper()
			work, err := db.RunHolds(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(work.Expired) != expired || len(work.Reminded) != reminded {
				t.Errorf("%s: expired %d and reminded %d, want %d and %d", when, len(work.Expired), len(work.Reminded), expired, reminded)
			}
		}
		c.set(end.Add(-dueprocess.HoldReminder - time.Second))
		run("just before the reminder", 0, 0)
		c.set(end.Add(-dueprocess.HoldReminder))
		run("at the reminder", 0, 2)
		run("again", 0, 0)
		// One message for the request's two holds, to its official.
		mails, err := db.Outbox(ctx, store.OutboxFilter{RequestID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) != 1 || mails[0].Kind != dueprocess.MailHoldExpiring || mails[0].To != "officer@police-hk.example" ||
			!strings.Contains(mails[0].Body, "demosisto") || !strings.Contains(mails[0].Body, "/extend") {
			t.Errorf("outbox: %+v, want one hold.expiring message to the official naming the targets", mails)
		}
		c.set(end.Add(-time.Second))
		if got := w.check(dueprocess.TargetUsername, "demosisto"); !got.Held {
			t.Errorf("a second before the end: %+v, want held", got)
		}
		run("a second before the end", 0, 0)
		c.set(end)
		if got := w.check(dueprocess.TargetUsername, "demosisto"); got.Held {
			t.Errorf("at the end, before the loop: %+v, want not held", got)
		}
		run("at the end", 2, 0)
		run("again", 0, 0)
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldExpired || h.RemindedAt == nil || !h.EndedAt.Equal(end) {
				t.Errorf("hold %+v, want expired at its end, reminded", h)
			}
		}
		// An extension after the reminder starts a new term with a new
		// reminder; here the hold has expired, so it is refused.
		_, err = db.ExtendHolds(ctx, p.ID, p.AgencyID, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: p.OfficialID})
		wantKind(t, "extend expired holds", err, dueprocess.Conflict)
	})
}

// TestHoldLoopsOnTwoServers runs the hold loop on two handles of one
// PostgreSQL database at once, as two servers would, over many holds, and
// checks that each reminder is marked and each hold expired exactly once,
// with one audit entry each.
func TestHoldLoopsOnTwoServers(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a := open()
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b := open()
	c := newClock(a, b)
	w := newReviewWorld(t, a)
	var end time.Time
	const requests = 30
	for range requests {
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		end = w.holds(p.ID)[0].ExpiresAt
	}
	want := 2 * requests
	for _, phase := range []struct {
		name string
		at   time.Time
		pick func(store.HoldWork) []string
	}{
		{"reminders", end.Add(-time.Hour), func(h store.HoldWork) []string { return h.Reminded }},
		{"expiry", end, func(h store.HoldWork) []string { return h.Expired }},
	} {
		c.set(phase.at)
		var mu sync.Mutex
		var done []string
		var wg sync.WaitGroup
		for _, db := range []*store.DB{a, b, a, b} {
			wg.Go(func() {
				for {
					work, err := db.RunHolds(ctx, 7)
					if err != nil {
						t.Error(err)
						return
					}
					got := phase.pick(work)
					mu.Lock()
					done = append(done, got...)
					mu.Unlock()
					if len(got) == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		sort.Strings(done)
		if len(done) != want || len(slices.Compact(slices.Clone(done))) != want {
			t.Errorf("%s: %d done, %d distinct, want each of %d exactly once", phase.name, len(done), len(slices.Compact(slices.Clone(done))), want)
		}
	}
	mails, err := a.Outbox(ctx, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != requests {
		t.Errorf("%d messages in the outbox, want one per request (%d)", len(mails), requests)
	}
	counts := actionCounts(t, a)
	if counts[dueprocess.ActionHoldReminderDue] != want || counts[dueprocess.ActionHoldExpired] != want {
		t.Errorf("audit: %d reminders and %d expiries, want %d each", counts[dueprocess.ActionHoldReminderDue], counts[dueprocess.ActionHoldExpired], want)
	}
}

// actionCounts counts the audit log's entries by action.
func actionCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	src := db.AuditLog()
	n, err := src.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	err = src.Entries(ctx, 0, n, func(_ int64, data []byte) error {
		e, err := audit.Decode(data)
		out[e.Action]++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHoldReleasedWhenRequestCloses moves requests the way routes built
// elsewhere do, through SetStatus only: a user_data request keeping a
// hold is rejected and closed, which lets the hold go back to its term;
// a preservation request rejected by its reviewer releases its holds.
func TestHoldReleasedWhenRequestCloses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		w := newReviewWorld(t, db)
		p := w.submitKind(dueprocess.KindPreservation, "HK", w.reviewDecide)
		u := w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		w.do(func(tx *store.Tx) error {
			if err := tx.SetStatus(ctx, u.ID, dueprocess.StatusRejected, w.admin, "no lawful basis"); err != nil {
				return err
			}
			return tx.SetStatus(ctx, u.ID, dueprocess.StatusClosed, w.admin, "")
		})
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldActive {
				t.Errorf("after the user_data request closed: %s, want active again", h.Status)
			}
		}
		w.do(func(tx *store.Tx) error {
			_, err := tx.Propose(ctx, p.ID, w.rae, &dueprocess.NewProposal{Decision: "reject", Note: "no court order"})
			return err
		})
		for _, h := range w.holds(p.ID) {
			if h.Status != dueprocess.HoldReleased || h.EndReason != "request "+p.ID+" is rejected" {
				t.Errorf("after the preservation request was rejected: %s (%s), want released", h.Status, h.EndReason)
			}
		}
		w.checkCounts("after the moves")
	})
}

// TestHoldCountsForTheReport: the report's accounts held are the holds
// placed, per jurisdiction and half-year of their request's receipt.
func TestHoldCountsForTheReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		w := newReviewWorld(t, db)
		w.submitKind(dueprocess.KindPreservation, "US", w.reviewDecide)
		w.submitKind(dueprocess.KindPreservation, "US", w.reviewDecide)
		w.submitKind(dueprocess.KindUserData, "HK", w.reviewDecide)
		period := dueprocess.HalfYear(c.now())
		got, err := db.HoldCounts(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		want := []dueprocess.HoldCount{{Period: period, Jurisdiction: "US", Accounts: 4}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("hold counts %+v, want %+v (two requests, two targets each)", got, want)
		}
		if other, err := db.HoldCounts(ctx, "1999-H1"); err != nil || len(other) != 0 {
			t.Errorf("another period: %+v, %v; want none", other, err)
		}
	})
}
