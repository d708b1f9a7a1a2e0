package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// contacts is a platform's contact lookup kept in a map: what a
// connector's contact query answers, without a second database.
type contacts map[string]string

func (c contacts) Contact(_ context.Context, t dueprocess.Target) (string, error) {
	return c[t.Value], nil
}

// submitWith stores and decides a request from the US agency after
// change has shaped it.
func (w *reviewWorld) submitWith(change func(r *dueprocess.Request)) *dueprocess.Request {
	w.t.Helper()
	r := sampleRequest(w.t)
	r.Jurisdiction = "US"
	ids := w.agencies["US"]
	r.AgencyID, r.OfficialID = ids[0], ids[1]
	change(r)
	w.do(func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		return tx.Decide(ctx, r, w.reviewDecide(r, nil), dueprocess.System)
	})
	return r
}

// release approves r (four eyes) and moves it to disclosed planning its
// notices in the same transaction: what the release of a package does.
func (w *reviewWorld) release(r *dueprocess.Request, p dueprocess.NoticePolicy, c dueprocess.Contacter) []dueprocess.Notice {
	w.t.Helper()
	w.propose(r)
	w.approve(r)
	addrs, err := dueprocess.NoticeAddresses(ctx, r.Targets, c)
	if err != nil {
		w.t.Fatal(err)
	}
	var list []dueprocess.Notice
	w.do(func(tx *store.Tx) error {
		if err := tx.SetStatus(ctx, r.ID, dueprocess.StatusDisclosed, w.admin, "package downloaded"); err != nil {
			return err
		}
		list, err = tx.PlanNotices(ctx, r.ID, dueprocess.NoticeReleased, store.NoticePlan{Policy: p, Addresses: addrs})
		return err
	})
	return list
}

func statuses(list []dueprocess.Notice) map[string]dueprocess.NoticeStatus {
	out := map[string]dueprocess.NoticeStatus{}
	for _, n := range list {
		out[n.Target.Value] = n.Status
	}
	return out
}

func userNotices(t *testing.T, db *store.DB, requestID string) []dueprocess.OutboxMessage {
	t.Helper()
	list, err := db.Outbox(ctx, store.OutboxFilter{RequestID: requestID})
	if err != nil {
		t.Fatal(err)
	}
	var out []dueprocess.OutboxMessage
	for _, m := range list {
		if m.Kind == dueprocess.MailUserNotice {
			out = append(out, m)
		}
	}
	return out
}

// TestNoticesWaitForTheOrderToEnd releases a request under a
// non-disclosure order until 2026-12-31: the notice to the e-mail target
// is withheld until 2027-01-01 and then queued once, in the policy's
// language; the username with no contact is undeliverable; the sent mark
// of the outbox shows as sent; the report counts them.
func TestNoticesWaitForTheOrderToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := newReviewWorld(t, db)
		r := w.submitWith(func(*dueprocess.Request) {})
		p := dueprocess.DefaultNoticePolicy
		p.Language = "de"
		list := w.release(r, p, nil)
		want := map[string]dueprocess.NoticeStatus{"someone@example.org": dueprocess.NoticeWithheld, "demosisto": dueprocess.NoticeUndeliverable}
		if got := statuses(list); len(got) != 2 || got["someone@example.org"] != want["someone@example.org"] || got["demosisto"] != want["demosisto"] {
			t.Fatalf("planned %v, want %v", got, want)
		}
		stored, err := db.Notices(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(stored); got["someone@example.org"] != dueprocess.NoticeWithheld || stored[0].ReleaseAt == nil && stored[1].ReleaseAt == nil {
			t.Fatalf("stored %v", got)
		}
		// Planning again changes nothing.
		w.do(func(tx *store.Tx) error {
			again, err := tx.PlanNotices(ctx, r.ID, dueprocess.NoticeReleased, store.NoticePlan{Policy: p})
			if len(again) != 0 {
				t.Errorf("planning again wrote %d notices", len(again))
			}
			return err
		})
		now = time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
		if done, err := db.ReleaseNotices(ctx, 10); err != nil || len(done) != 0 {
			t.Fatalf("on the order's last day: released %v, %v; want none", done, err)
		}
		if m := userNotices(t, db, r.ID); len(m) != 0 {
			t.Fatalf("a withheld notice is in the outbox: %+v", m)
		}
		now = time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)
		if done, err := db.ReleaseNotices(ctx, 10); err != nil || len(done) != 1 {
			t.Fatalf("the day after: released %v, %v; want one", done, err)
		}
		if done, _ := db.ReleaseNotices(ctx, 10); len(done) != 0 {
			t.Fatalf("released again: %v", done)
		}
		m := userNotices(t, db, r.ID)
		if len(m) != 1 || m[0].To != "someone@example.org" || m[0].Subject != "Eine Behörde hat Daten zu Ihrem Konto angefordert" {
			t.Fatalf("outbox %+v, want one German notice to someone@example.org", m)
		}
		if err := db.MailSent(ctx, m[0].ID); err != nil {
			t.Fatal(err)
		}
		stored, _ = db.Notices(ctx, r.ID)
		if got := statuses(stored); got["someone@example.org"] != dueprocess.NoticeSent {
			t.Errorf("after the outbox sent it: %v", got)
		}
		counts, err := db.NoticeCounts(ctx, "2026-H1")
		if err != nil {
			t.Fatal(err)
		}
		wantCount := dueprocess.NoticeCount{Period: "2026-H1", Jurisdiction: "US", Sent: 1, Withheld: 1, Undeliverable: 1}
		if len(counts) != 1 || counts[0] != wantCount {
			t.Errorf("counts %+v, want %+v", counts, wantCount)
		}
	})
}

// TestNoticesByPolicy: no notice when the policy says so; a plain release
// queues at once, to the address the platform's contact query gives; an
// emergency is delayed by the policy's delay.
func TestNoticesByPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := newReviewWorld(t, db)
		noOrder := func(r *dueprocess.Request) { r.Nondisclosure = nil }
		off := dueprocess.DefaultNoticePolicy
		off.OnRelease = false
		if list := w.release(w.submitWith(noOrder), off, nil); len(list) != 0 {
			t.Errorf("with notice on release off: %d notices", len(list))
		}
		r := w.submitWith(noOrder)
		list := w.release(r, dueprocess.DefaultNoticePolicy, contacts{"demosisto": "demo@example.net"})
		if got := statuses(list); got["demosisto"] != dueprocess.NoticeQueued || got["someone@example.org"] != dueprocess.NoticeQueued {
			t.Errorf("plain release: %v, want both queued", got)
		}
		if m := userNotices(t, db, r.ID); len(m) != 2 {
			t.Errorf("outbox holds %d notices, want 2", len(m))
		}
		em := w.submitWith(func(r *dueprocess.Request) { noOrder(r); r.Kind = dueprocess.KindEmergency })
		p := dueprocess.DefaultNoticePolicy
		p.EmergencyDelay = 30 * 24 * time.Hour
		list = w.release(em, p, nil)
		if got := statuses(list); got["someone@example.org"] != dueprocess.NoticeDelayed {
			t.Fatalf("emergency: %v, want delayed", got)
		}
		now = now.Add(30*24*time.Hour - time.Minute)
		if done, _ := db.ReleaseNotices(ctx, 10); len(done) != 0 {
			t.Errorf("released %v before the delay ended", done)
		}
		now = now.Add(time.Minute)
		if done, _ := db.ReleaseNotices(ctx, 10); len(done) != 1 {
			t.Errorf("released %v when the delay ended, want one", done)
		}
		if m := userNotices(t, db, em.ID); len(m) != 1 {
			t.Errorf("emergency: outbox holds %d notices, want 1", len(m))
		}
	})
}

// TestLiftOpenEndedOrder: an order without an end date withholds until
// staff lift it, with a reason, which the audit log records.
func TestLiftOpenEndedOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		r := w.submitWith(func(r *dueprocess.Request) { r.Nondisclosure = &dueprocess.Nondisclosure{} })
		list := w.release(r, dueprocess.DefaultNoticePolicy, nil)
		if got := statuses(list); got["someone@example.org"] != dueprocess.NoticeWithheld {
			t.Fatalf("%v", got)
		}
		now := db.Now()
		db.Now = func() time.Time { return now.Add(10 * 365 * 24 * time.Hour) }
		if done, _ := db.ReleaseNotices(ctx, 10); len(done) != 0 {
			t.Fatalf("an open-ended order ended by itself: %v", done)
		}
		err := db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.LiftNondisclosure(ctx, r.ID, w.ann, " "); return err })
		if !errors.Is(err, dueprocess.ErrInvalid) {
			t.Fatalf("lift without a reason: %v, want invalid", err)
		}
		w.do(func(tx *store.Tx) error {
			_, err := tx.LiftNondisclosure(ctx, r.ID, w.ann, "the court lifted the order on 2036-02-27")
			return err
		})
		if m := userNotices(t, db, r.ID); len(m) != 1 {
			t.Fatalf("after lifting: %d notices in the outbox, want 1", len(m))
		}
		stored, _ := db.Notices(ctx, r.ID)
		for _, n := range stored {
			if n.Target.Value == "someone@example.org" && (n.LiftedBy != w.ann.ID || n.Status != dueprocess.NoticeQueued) {
				t.Errorf("lifted notice %+v", n)
			}
		}
		err = db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.LiftNondisclosure(ctx, r.ID, w.ann, "again"); return err })
		if !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("lifting twice: %v, want conflict", err)
		}
	})
}

// TestTwoServersReleaseEachNoticeOnce runs the release loop of two
// "servers" (two handles on one database, two loops each) over 60
// withheld notices at once: each is queued exactly once.
func TestTwoServersReleaseEachNoticeOnce(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			var dbs []*store.DB
			now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				db.Now = clock
				dbs = append(dbs, db)
			}
			w := newReviewWorld(t, dbs[0])
			const n = 30 // requests, each with one notice to send
			var ids []string
			for range n {
				r := w.submitWith(func(*dueprocess.Request) {})
				w.release(r, dueprocess.DefaultNoticePolicy, nil)
				ids = append(ids, r.ID)
			}
			mu.Lock()
			now = time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
			mu.Unlock()
			var wg sync.WaitGroup
			var total sync.Map
			for _, db := range dbs {
				for range 2 {
					wg.Go(func() {
						for {
							done, err := db.ReleaseNotices(ctx, 3)
							if err != nil {
								t.Error(err)
								return
							}
							for _, id := range done {
								if _, dup := total.LoadOrStore(id, true); dup {
									t.Errorf("%s released twice", id)
								}
							}
							if len(done) == 0 {
								return
							}
						}
					})
				}
			}
			wg.Wait()
			for _, id := range ids {
				if m := userNotices(t, dbs[0], id); len(m) != 1 {
					t.Errorf("%s: %d notices in the outbox, want 1", id, len(m))
				}
			}
		})
	}
}

// TestUnresolvedNotices plans notices without looking addresses up (as a
// hold placed deep inside a status move does): the e-mail target has its
// own address, the username waits for the contact query; a claim holds it
// from other loops for its lease; resolving it plans it, once.
func TestUnresolvedNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		w := newReviewWorld(t, db)
		r := w.submitWith(func(r *dueprocess.Request) { r.Nondisclosure = nil })
		w.propose(r)
		w.approve(r)
		var list []dueprocess.Notice
		w.do(func(tx *store.Tx) error {
			var err error
			list, err = tx.PlanNotices(ctx, r.ID, dueprocess.NoticeReleased, store.NoticePlan{Policy: dueprocess.DefaultNoticePolicy})
			return err
		})
		if got := statuses(list); got["someone@example.org"] != dueprocess.NoticeQueued || got["demosisto"] != dueprocess.NoticeUnresolved {
			t.Fatalf("planned %v", got)
		}
		claimed, err := db.ClaimUnresolvedNotices(ctx, 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].Target.Value != "demosisto" {
			t.Fatalf("claimed %+v, %v; want the username's notice", claimed, err)
		}
		if again, _ := db.ClaimUnresolvedNotices(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed again within the lease: %+v", again)
		}
		for range 2 { // the second is a loop whose lease ran out: nothing happens
			if err := db.ResolveNotice(ctx, claimed[0].ID, "demo@example.net", dueprocess.DefaultNoticePolicy); err != nil {
				t.Fatal(err)
			}
		}
		stored, _ := db.Notices(ctx, r.ID)
		if got := statuses(stored); got["demosisto"] != dueprocess.NoticeQueued {
			t.Errorf("after resolving: %v", got)
		}
		if m := userNotices(t, db, r.ID); len(m) != 2 {
			t.Errorf("outbox holds %d notices, want 2", len(m))
		}
		now = now.Add(2 * time.Minute)
		if again, _ := db.ClaimUnresolvedNotices(ctx, 10, time.Minute); len(again) != 0 {
			t.Errorf("a resolved notice was claimed: %+v", again)
		}
	})
}

// TestTxNoticePolicy: operations deep inside a transaction read the
// notice policy serve set on the DB, or the default.
func TestTxNoticePolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var got dueprocess.NoticePolicy
		read := func() {
			if err := db.Transact(ctx, func(tx *store.Tx) error { got = tx.NoticePolicy(); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if read(); got != dueprocess.DefaultNoticePolicy {
			t.Errorf("unset: %+v, want the default", got)
		}
		set := dueprocess.NoticePolicy{OnHold: true, EmergencyDelay: time.Hour, Language: "de"}
		db.Notice = set
		if read(); got != set {
			t.Errorf("set: %+v, want %+v", got, set)
		}
	})
}

// TestHoldPlacedTellsUsersByPolicy: a preservation request's holds, placed
// at intake, tell the users only when the policy says so (on_hold), and
// leave the usernames' addresses to the notice loop.
func TestHoldPlacedTellsUsersByPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		w := newReviewWorld(t, db)
		r := w.submitKind(dueprocess.KindPreservation, "US", w.reviewDecide)
		if len(w.holds(r.ID)) != 2 {
			t.Fatalf("holds %+v, want 2", w.holds(r.ID))
		}
		if list, err := db.Notices(ctx, r.ID); err != nil || len(list) != 0 {
			t.Fatalf("with on_hold off: notices %+v, %v; want none", list, err)
		}
		db.Notice = dueprocess.NoticePolicy{OnHold: true, OnRelease: true, Language: "en", EmergencyDelay: time.Hour}
		r = w.submitKind(dueprocess.KindPreservation, "US", w.reviewDecide)
		list, err := db.Notices(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := statuses(list)
		if len(list) != 2 || got["someone@example.org"] != dueprocess.NoticeWithheld || got["demosisto"] != dueprocess.NoticeUnresolved ||
			list[0].Reason != dueprocess.NoticeHoldPlaced {
			t.Errorf("with on_hold on: %+v", list)
		}
	})
}
