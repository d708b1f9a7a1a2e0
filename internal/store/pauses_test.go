package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// pauseDecider stands in for the policy engine, whose rules are tested in
// internal/policy: it pauses a request that a pause covers and sends the
// rest to review. The store's part is to call it and follow its outcome.
func pauseDecider(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
	d := dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:test",
		Reasons: []dueprocess.Reason{{Rule: "default.review", Outcome: dueprocess.OutcomeReview, Text: "Nothing stops it."}}}
	for _, p := range pauses {
		if p.Covers(r) && p.InForce(r.ReceivedAt) {
			d.Outcome = dueprocess.OutcomePause
			d.Reasons = append(d.Reasons, dueprocess.Reason{Rule: "pause." + p.ID, Outcome: dueprocess.OutcomePause, Text: p.Reason})
		}
	}
	return d
}

// intake stores r and decides it as the web layer does: store first, then
// read the pauses in force, in the same transaction.
func intake(t *testing.T, db *store.DB, r *dueprocess.Request) {
	t.Helper()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		pauses, err := tx.PausesInForce(ctx)
		if err != nil {
			return err
		}
		return tx.Decide(ctx, r, pauseDecider(r, pauses), dueprocess.System)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPauseAndResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		newReq := func(kind dueprocess.RequestKind) *dueprocess.Request {
			r := sampleRequest(t)
			r.AgencyID, r.OfficialID, r.Kind = a.ID, o.ID, kind
			return r
		}
		before := newReq(dueprocess.KindUserData)
		content := newReq(dueprocess.KindContentRestriction)
		intake(t, db, before)
		intake(t, db, content)
		if before.Status != dueprocess.StatusInReview {
			t.Fatalf("before the pause: status %s, want in_review", before.Status)
		}

		admin := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_admin"}
		p := &dueprocess.Pause{Jurisdiction: "HK", Reason: "National Security Law in force; human-rights due diligence",
			Scope: dueprocess.PauseScope{Kinds: []dueprocess.RequestKind{dueprocess.KindUserData, dueprocess.KindPreservation}}, StartedBy: admin}
		var moved []string
		err := db.Transact(ctx, func(tx *store.Tx) (err error) {
			moved, err = tx.Pause(ctx, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := moved, []string{before.ID}; !slices.Equal(got, want) {
			t.Errorf("pause moved %v, want %v (content restriction flows on)", got, want)
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.Pause(ctx, &dueprocess.Pause{Jurisdiction: "HK", Reason: "again", StartedBy: admin})
			return err
		})
		if !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("second pause of HK: got %v, want a conflict", err)
		}

		during := newReq(dueprocess.KindUserData)
		intake(t, db, during)
		if during.Status != dueprocess.StatusPaused {
			t.Errorf("new request during the pause: status %s, want paused", during.Status)
		}
		got, err := db.Request(ctx, during.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision == nil || got.Decision.Outcome != dueprocess.OutcomePause || got.Decision.Reasons[1].Text != p.Reason {
			t.Errorf("stored decision %+v, want outcome pause with the pause's reason", got.Decision)
		}
		if c, _ := db.Request(ctx, content.ID); c.Status != dueprocess.StatusInReview {
			t.Errorf("content restriction during the pause: status %s, want in_review", c.Status)
		}

		var ended *dueprocess.Pause
		err = db.Transact(ctx, func(tx *store.Tx) (err error) {
			ended, moved, err = tx.Resume(ctx, "HK", "assessment complete", admin, pauseDecider)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := moved, []string{before.ID, during.ID}; !slices.Equal(got, want) {
			t.Errorf("resume moved %v, want %v", got, want)
		}
		if ended.EndedAt == nil || ended.EndReason != "assessment complete" {
			t.Errorf("ended pause %+v", ended)
		}
		for _, id := range moved {
			if r, _ := db.Request(ctx, id); r.Status != dueprocess.StatusInReview {
				t.Errorf("%s after resume: status %s, want in_review", id, r.Status)
			}
		}
		err = db.Transact(ctx, func(tx *store.Tx) error {
			_, _, err := tx.Resume(ctx, "HK", "again", admin, pauseDecider)
			return err
		})
		if !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("resuming HK twice: got %v, want a conflict", err)
		}

		history, err := db.Pauses(ctx, "HK")
		if err != nil {
			t.Fatal(err)
		}
		if len(history) != 1 || history[0].EndedBy == nil || *history[0].EndedBy != admin || history[0].StartedBy != admin ||
			!slices.Equal(history[0].Scope.Kinds, p.Scope.Kinds) {
			t.Errorf("history %+v", history)
		}
		if inForce, _ := db.PausesInForce(ctx); len(inForce) != 0 {
			t.Errorf("pauses in force after resume: %+v", inForce)
		}

		// The log holds the pause, the resume and each status change.
		actions := map[string]int{}
		src := db.AuditLog()
		n, _ := src.Size(ctx)
		err = src.Entries(ctx, 0, n, func(_ int64, data []byte) error {
			actions[actionOf(t, data)]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{dueprocess.ActionJurisdictionPaused, dueprocess.ActionJurisdictionResumed} {
			if actions[a] != 1 {
				t.Errorf("%d %s entries, want 1", actions[a], a)
			}
		}
	})
}

func actionOf(t *testing.T, data []byte) string {
	t.Helper()
	e, err := audit.Decode(data)
	if err != nil {
		t.Fatalf("stored entry does not decode: %v", err)
	}
	return e.Action
}
