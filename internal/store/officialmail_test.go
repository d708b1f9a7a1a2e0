package store_test

import (
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestOfficialMailOnMove: a request asked to be narrowed and one answered
// (released with no data held) each write one message to the submitting
// official, in the transaction of the move, with the request's id, status
// and portal link and none of its targets; a move that rolls back writes
// none, and moves that answer nothing write none.
func TestOfficialMailOnMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.PublicURL = "https://dp.example"
		a, o := fixture(t, db, "DE", "bka.bund.de")
		rae := newStaff(t, db, "rae@example.com", dueprocess.RoleReviewer)
		ann := newStaff(t, db, "ann@example.com", dueprocess.RoleApprover)
		by := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: rae.ID}
		mails := func(id string) []dueprocess.OutboxMessage {
			t.Helper()
			list, err := db.Outbox(ctx, store.OutboxFilter{RequestID: id})
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		check := func(m dueprocess.OutboxMessage, r *dueprocess.Request, kind string, status dueprocess.Status) {
			t.Helper()
			if m.Kind != kind || m.To != o.Email {
				t.Errorf("mail %s to %s, want %s to %s", m.Kind, m.To, kind, o.Email)
			}
			for _, want := range []string{r.ID, string(status), "https://dp.example/portal/requests/" + r.ID} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("%s mail body lacks %q:\n%s", kind, want, m.Body)
				}
			}
			for _, tg := range r.Targets {
				if strings.Contains(m.Subject+m.Body, tg.Value) {
					t.Errorf("%s mail names the target %q:\n%s", kind, tg.Value, m.Body)
				}
			}
		}

		// Approved: no mail yet (an approval is not an answer).
		r := approvedRequest(t, db, a, o, rae, ann)
		if got := mails(r.ID); len(got) != 0 {
			t.Fatalf("after approval: %d mails, want none", len(got))
		}
		// A release that fails (nothing gathered) writes nothing.
		release := func(id string) error {
			return db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.Release(ctx, store.Release{RequestID: id}, by, nil); return err })
		}
		if err := release(r.ID); err == nil {
			t.Fatal("a release with nothing gathered succeeded")
		}
		if got := mails(r.ID); len(got) != 0 {
			t.Fatalf("after a failed release: %d mails, want none", len(got))
		}
		target := r.Targets[0]
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.AddGathered(ctx, r.ID, []dueprocess.GatheredFile{{Category: dueprocess.CategorySubscriber, Target: &target, NoData: true, Source: dueprocess.SourceConnector}}, by)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := release(r.ID); err != nil {
			t.Fatal(err)
		}
		got := mails(r.ID)
		if len(got) != 1 {
			t.Fatalf("after the release: %d mails, want 1", len(got))
		}
		check(got[0], r, dueprocess.MailAnswerReady, dueprocess.StatusNoData)

		// Asked to narrow.
		n := sampleRequest(t)
		n.AgencyID, n.OfficialID = a.ID, o.ID
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateRequest(ctx, n, dueprocess.System); err != nil {
				return err
			}
			if err := tx.Decide(ctx, n, dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:test"}, dueprocess.System); err != nil {
				return err
			}
			_, err := tx.Propose(ctx, n.ID, rae, &dueprocess.NewProposal{Decision: "request_narrowing", Note: "name one account"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got = mails(n.ID)
		if len(got) != 1 {
			t.Fatalf("after asking to narrow: %d mails, want 1", len(got))
		}
		check(got[0], n, dueprocess.MailNarrowingAsked, dueprocess.StatusNarrowingRequested)
	})
}
