package store_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// approvedRequest stores a request the policy allows subscriber records
// of, proposed for approval by one staff member and confirmed by another.
func approvedRequest(t *testing.T, db *store.DB, a *dueprocess.Agency, o *dueprocess.Official, rae, ann *dueprocess.Staff) *dueprocess.Request {
	t.Helper()
	r := sampleRequest(t)
	r.AgencyID, r.OfficialID = a.ID, o.ID
	d := dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:test", Categories: map[dueprocess.DataCategory]dueprocess.Verdict{
		dueprocess.CategorySubscriber: {Allowed: true, Rule: "ladder.subscriber"},
	}}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		if err := tx.Decide(ctx, r, d, dueprocess.System); err != nil {
			return err
		}
		if _, err := tx.Propose(ctx, r.ID, rae, &dueprocess.NewProposal{Decision: "approve", Note: "as allowed"}); err != nil {
			return err
		}
		_, err := tx.Approve(ctx, r.ID, ann, "checked")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newStaff(t *testing.T, db *store.DB, email string, roles ...dueprocess.Role) *dueprocess.Staff {
	t.Helper()
	s := &dueprocess.Staff{Email: email, Name: email, Roles: roles}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, s, dueprocess.System) }); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReleaseCountsAndClaims: a release with a file makes the request
// disclosed and one with only "no data held" makes it no_data, and the kept
// report counts equal a recount after each; a category not approved is
// refused by name; the one download is claimed once of twenty at once.
func TestReleaseCountsAndClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "DE", "bka.bund.de")
		rae := newStaff(t, db, "rae@example.com", dueprocess.RoleReviewer)
		ann := newStaff(t, db, "ann@example.com", dueprocess.RoleApprover)
		by := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: rae.ID}
		gather := func(r *dueprocess.Request, files ...dueprocess.GatheredFile) error {
			return db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.AddGathered(ctx, r.ID, files, by); return err })
		}
		release := func(rel store.Release) error {
			return db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.Release(ctx, rel, by, nil); return err })
		}
		checkCounts := func(when string) {
			t.Helper()
			kept, _ := db.ReportCounts(ctx, "")
			recount, _ := db.RecountReport(ctx, "")
			if !reflect.DeepEqual(kept, recount) {
				t.Fatalf("%s: kept counts %v, recount %v", when, kept, recount)
			}
		}

		r := approvedRequest(t, db, a, o, rae, ann)
		sum := strings.Repeat("ab", 32)
		err := gather(r, dueprocess.GatheredFile{Category: dueprocess.CategoryIPLogs, Name: "ip.csv", Bytes: 3, SHA256: sum, Source: dueprocess.SourceManual})
		if dueprocess.ErrorKind(err) != dueprocess.Conflict || !strings.Contains(err.Error(), "ip_logs") {
			t.Errorf("a category not approved: %v, want a conflict naming ip_logs", err)
		}
		if err := gather(r, dueprocess.GatheredFile{Category: dueprocess.CategorySubscriber, Name: "s.csv", Bytes: 3, SHA256: sum, Source: dueprocess.SourceManual}); err != nil {
			t.Fatal(err)
		}
		files, _ := db.Gathered(ctx, r.ID)
		if len(files) != 1 {
			t.Fatalf("gathered %v", files)
		}
		if err := release(store.Release{RequestID: r.ID}); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("a release leaving out a gathered file: %v, want a conflict", err)
		}
		pkg := &dueprocess.Package{ManifestSHA256: sum, CiphertextSHA256: strings.Repeat("cd", 32), Bytes: 100, Encryption: dueprocess.EncryptedToRecipient,
			ExpiresAt: db.Now().Add(time.Hour)}
		if err := release(store.Release{RequestID: r.ID, Files: []string{files[0].ID}, Package: pkg, Manifest: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Request(ctx, r.ID); got.Status != dueprocess.StatusDisclosed {
			t.Errorf("status %s, want disclosed", got.Status)
		}
		checkCounts("after a release")

		// Twenty claims at once: one wins.
		var wg sync.WaitGroup
		wins := make(chan error, 20)
		official := dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID}
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wins <- db.Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.ClaimPackage(ctx, r.ID, a.ID, official, "192.0.2.7")
					return err
				})
			}()
		}
		wg.Wait()
		close(wins)
		n := map[string]int{}
		for err := range wins {
			if err == nil {
				n["ok"]++
			} else {
				n[string(dueprocess.ErrorKind(err))]++
			}
		}
		if n["ok"] != 1 || n[string(dueprocess.Gone)] != 19 {
			t.Errorf("20 claims at once: %v, want one success and 19 gone", n)
		}

		// Nothing held for the one approved category: no_data.
		r2 := approvedRequest(t, db, a, o, rae, ann)
		target := r2.Targets[0]
		if err := gather(r2, dueprocess.GatheredFile{Category: dueprocess.CategorySubscriber, Target: &target, NoData: true, Source: dueprocess.SourceConnector}); err != nil {
			t.Fatal(err)
		}
		if err := release(store.Release{RequestID: r2.ID}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Request(ctx, r2.ID); got.Status != dueprocess.StatusNoData {
			t.Errorf("status %s, want no_data", got.Status)
		}
		checkCounts("after a no-data release")

		// Closing keeps a request counted under its answer: a disclosed
		// request closed is still answered with some data.
		disclosed := func() int64 {
			var n int64
			list, _ := db.ReportCounts(ctx, "")
			for _, c := range list {
				if c.Status == dueprocess.StatusDisclosed {
					n += c.Requests
				}
			}
			return n
		}
		before := disclosed()
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetStatus(ctx, r.ID, dueprocess.StatusClosed, by, "") }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Request(ctx, r.ID); got.Status != dueprocess.StatusClosed || disclosed() != before || before != 1 {
			t.Errorf("after closing: status %s, %d disclosed counted, want closed and %d (of 1)", got.Status, disclosed(), before)
		}
		checkCounts("after closing")
		if err := release(store.Release{RequestID: r2.ID}); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("a second release: %v, want a conflict", err)
		}
	})
}
