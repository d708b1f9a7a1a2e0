package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// submission returns a submission of a request from w's agency in
// jurisdiction, decided by decide.
func (w *reviewWorld) submission(jurisdiction string, decide store.Decider) store.Submission {
	r := sampleRequest(w.t)
	r.Jurisdiction = jurisdiction
	ids := w.agencies[dueprocess.Country(jurisdiction)]
	r.AgencyID, r.OfficialID = ids[0], ids[1]
	return store.Submission{Request: r, By: dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: ids[1]}, Decide: decide,
		Principal: ids[1], Answer: func(r *dueprocess.Request) ([]byte, error) { return json.Marshal(r) }}
}

// TestSubmitStoresTheDecisionWithTheRequest checks intake as one
// operation: a request arriving in a paused jurisdiction is stored paused
// with its decision, has its history (received, then the policy's move),
// one audit entry saying what arrived, what the policy decided and where
// it went, and is counted where it stands.
func TestSubmitStoresTheDecisionWithTheRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		w.pause("HK")
		done, err := db.Submit(ctx, w.submission("HK", w.reviewDecide))
		if err != nil {
			t.Fatal(err)
		}
		got := w.request(done.Request)
		if got.Status != dueprocess.StatusPaused || got.Decision == nil || got.Decision.Outcome != dueprocess.OutcomePause {
			t.Errorf("stored %s with decision %+v, want paused by the pause", got.Status, got.Decision)
		}
		events, err := db.Events(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range events {
			types = append(types, fmt.Sprint(e.Seq, e.Type, e.Detail))
		}
		if want := []string{"1" + dueprocess.EventReceived, "2" + dueprocess.EventStatusChanged + "policy: pause"}; !slices.Equal(types, want) {
			t.Errorf("history %q, want %q", types, want)
		}
		entries := w.entries(got)
		if len(entries) != 1 || entries[0].Action != dueprocess.ActionRequestCreated {
			t.Fatalf("audit entries %v, want one request.created", entries)
		}
		var body struct {
			Status   struct{ From, To string }
			Decision struct {
				Outcome, Policy string
				Rules           []string
			}
		}
		if err := json.Unmarshal(entries[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Status.From != "received" || body.Status.To != "paused" || body.Decision.Outcome != "pause" || body.Decision.Policy != "sha256:test" || len(body.Decision.Rules) != 2 {
			t.Errorf("entry body %s, want the move received→paused and the pause decision", entries[0].Body)
		}
		w.checkCounts("after intake")
		if moved := w.resume("HK", w.reviewDecide); !slices.Equal(moved, []string{got.ID}) {
			t.Errorf("resume moved %v, want %s", moved, got.ID)
		}
		w.checkCounts("after the resume")
	})
}

// TestSubmitConcurrentlyInGroups submits 50 requests at once, with a
// retry of each, so that the committer groups them and some retries share
// a group with their first try: every request gets a number without gap
// or repeat, each key one request, the kept counts equal a recount, and
// the audit log, written per group, verifies.
func TestSubmitConcurrentlyInGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		const n = 50
		var wg sync.WaitGroup
		ids := make([][2]string, n)
		errs := make(chan error, 2*n)
		for i := range n {
			for try := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := w.submission([]string{"HK", "US"}[i%2], w.escalateDecide)
					s.Key, s.BodyHash = fmt.Sprint("key-", i), "hash"
					done, err := db.Submit(ctx, s)
					if err != nil {
						errs <- err
						return
					}
					ids[i][try] = done.ID
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		var all []string
		for i, pair := range ids {
			if pair[0] != pair[1] {
				t.Errorf("key-%d: two requests %s and %s", i, pair[0], pair[1])
			}
			all = append(all, pair[0])
		}
		slices.Sort(all)
		for i, id := range all {
			if want := fmt.Sprintf("DP-%d-%06d", db.Now().Year(), i+1); id != want {
				t.Fatalf("request ids %v, want 1 to %d without gaps", all, n)
			}
		}
		w.checkCounts("after concurrent intake")
		_, verifier, _, err := audit.CreateKey(t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Verify(ctx, db.AuditLog(), verifier, audit.DefaultKeyName, nil); err != nil {
			t.Errorf("the log does not verify: %v", err)
		}
	})
}

// TestSubmitKeyWithAnotherBody checks that a key used before with another
// body is a conflict naming the key, and stores nothing.
func TestSubmitKeyWithAnotherBody(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		s := w.submission("HK", w.reviewDecide)
		s.Key, s.BodyHash = "k", "one"
		first, err := db.Submit(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.Submit(ctx, s)
		if err != nil || !again.Replayed || again.ID != first.ID || string(again.Response) != string(first.Response) {
			t.Errorf("retry: %+v, %v; want the first answer replayed", again, err)
		}
		s.BodyHash = "two"
		_, err = db.Submit(ctx, s)
		if !errors.Is(err, dueprocess.ErrConflict) || dueprocess.ErrorField(err) != "Idempotency-Key" {
			t.Errorf("other body: %v, want a conflict on Idempotency-Key", err)
		}
		list, err := db.Requests(ctx, dueprocess.RequestFilter{})
		if err != nil || len(list) != 1 {
			t.Errorf("stored %d requests (%v), want 1", len(list), err)
		}
	})
}
