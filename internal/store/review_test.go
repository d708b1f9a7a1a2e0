package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

func TestFourEyesReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		staff := func(email string, roles ...dueprocess.Role) *dueprocess.Staff {
			s := &dueprocess.Staff{Email: email, Name: email, Roles: roles}
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, s, dueprocess.System) }); err != nil {
				t.Fatal(err)
			}
			return s
		}
		rae := staff("rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
		ann := staff("ann@example.com", dueprocess.RoleApprover)
		hugo := staff("hugo@example.com", dueprocess.RoleHumanRights)

		submit := func(outcome dueprocess.Outcome) *dueprocess.Request {
			r := sampleRequest(t)
			r.AgencyID, r.OfficialID = a.ID, o.ID
			d := dueprocess.Decision{Outcome: outcome, Policy: "sha256:test", Categories: map[dueprocess.DataCategory]dueprocess.Verdict{
				dueprocess.CategorySubscriber: {Allowed: true, Rule: "ladder.subscriber"},
				dueprocess.CategoryIPLogs:     {Allowed: false, Rule: "ladder.ip_logs", Reason: "ip_logs needs a court order; a subpoena was given"},
			}}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
					return err
				}
				return tx.Decide(ctx, r, d, dueprocess.System)
			})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		propose := func(r *dueprocess.Request, s *dueprocess.Staff, p dueprocess.NewProposal) error {
			return db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.Propose(ctx, r.ID, s, &p); return err })
		}
		approve := func(r *dueprocess.Request, s *dueprocess.Staff) error {
			return db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.Approve(ctx, r.ID, s, "checked the warrant"); return err })
		}
		status := func(r *dueprocess.Request) dueprocess.Status {
			got, err := db.Request(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}

		r := submit(dueprocess.OutcomeReview)
		if err := approve(r, ann); !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("approval without a proposal: %v, want a conflict", err)
		}
		err := propose(r, rae, dueprocess.NewProposal{Decision: "partially_approve", Categories: []string{"ip_logs"}, Note: "x"})
		if dueprocess.ErrorField(err) != "categories[0]" || !strings.Contains(err.Error(), "ladder.ip_logs") {
			t.Errorf("proposing a category the policy denies: %v", err)
		}
		if err := propose(r, rae, dueprocess.NewProposal{Decision: "approve", Note: "subscriber records only, as the ladder allows"}); err != nil {
			t.Fatal(err)
		}
		if got := status(r); got != dueprocess.StatusAwaitingApproval {
			t.Errorf("after the proposal: %s", got)
		}
		err = approve(r, rae)
		if !errors.Is(err, dueprocess.ErrForbidden) || !strings.Contains(err.Error(), "four eyes") {
			t.Errorf("the proposer approving: %v, want forbidden with the reason", err)
		}
		if err := approve(r, ann); err != nil {
			t.Fatal(err)
		}
		if got := status(r); got != dueprocess.StatusApproved {
			t.Errorf("after approval: %s", got)
		}
		reviews, _ := db.Reviews(ctx, r.ID)
		if len(reviews) != 2 || reviews[0].StaffID != rae.ID || reviews[1].StaffID != ann.ID || reviews[1].Categories[0] != dueprocess.CategorySubscriber {
			t.Errorf("reviews: %+v", reviews)
		}

		// An escalated request needs the human-rights officer first.
		e := submit(dueprocess.OutcomeEscalate)
		if err := propose(e, rae, dueprocess.NewProposal{Decision: "approve", Note: "x"}); !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("reviewing an escalated request: %v, want a conflict", err)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.AssessHumanRights(ctx, e.ID, hugo, dueprocess.HumanRightsProceed, dueprocess.Assessment{
				Legality: "a court order under the Crimes Ordinance", Necessity: "a named fraud victim", Proportionality: "one account, two months"}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := status(e); got != dueprocess.StatusInReview {
			t.Errorf("after the assessment: %s", got)
		}

		// A move the workflow does not know is refused with the way forward.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.SetStatus(ctx, e.ID, dueprocess.StatusDisclosed, dueprocess.System, "")
		})
		if !errors.Is(err, dueprocess.ErrConflict) || !strings.Contains(err.Error(), "awaiting_approval") {
			t.Errorf("in_review → disclosed: %v", err)
		}

		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.Assign(ctx, e.ID, rae.ID, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		if ids, _ := db.Assignees(ctx, e.ID); len(ids) != 1 || ids[0] != rae.ID {
			t.Errorf("assignees: %v", ids)
		}
	})
}
