package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// The tests in this file check that a pause holds review work and a resume
// gives it back: a request returns to the status the first pause found it
// in, with its reviews and its decision, and a finished request is never
// touched.

// resumeDecider stands in for the policy engine as pauseDecider does, but
// with a verdict for each category (subscriber allowed, ip_logs denied) so
// that a request can be approved, an outcome for requests no pause holds,
// and pauses of a policy file, which are passed to it rather than stored.
func resumeDecider(outcome dueprocess.Outcome, file ...dueprocess.Pause) store.Decider {
	return func(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
		d := dueprocess.Decision{Outcome: outcome, Policy: "sha256:test", Categories: map[dueprocess.DataCategory]dueprocess.Verdict{
			dueprocess.CategorySubscriber: {Allowed: true, Rule: "ladder.subscriber"},
			dueprocess.CategoryIPLogs:     {Allowed: false, Rule: "ladder.ip_logs", Reason: "ip_logs needs a court order; a subpoena was given"},
		}, Reasons: []dueprocess.Reason{{Rule: "test", Outcome: outcome, Text: "The test says so."}}}
		if outcome == dueprocess.OutcomeRefuse {
			d.Categories[dueprocess.CategorySubscriber] = dueprocess.Verdict{Allowed: false, Rule: "test", Reason: "refused"}
		}
		for _, p := range append(slices.Clone(pauses), file...) {
			if p.Covers(r) && p.InForce(r.ReceivedAt) {
				if dueprocess.OutcomePause.Severity() > d.Outcome.Severity() {
					d.Outcome = dueprocess.OutcomePause
				}
				d.Reasons = append(d.Reasons, dueprocess.Reason{Rule: "pause." + p.ID, Outcome: dueprocess.OutcomePause, Text: p.Reason})
			}
		}
		return d
	}
}

// reviewWorld holds what the tests of this file share: a database with an
// agency in HK and one in US, and staff to review.
type reviewWorld struct {
	t              *testing.T
	db             *store.DB
	agencies       map[string][2]string
	rae, ann, hugo *dueprocess.Staff
	admin          dueprocess.Actor
	reviewDecide   store.Decider
	escalateDecide store.Decider
}

func newReviewWorld(t *testing.T, db *store.DB) *reviewWorld {
	w := &reviewWorld{t: t, db: db, agencies: map[string][2]string{}, admin: dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_admin"},
		reviewDecide: resumeDecider(dueprocess.OutcomeReview), escalateDecide: resumeDecider(dueprocess.OutcomeEscalate)}
	for _, j := range []string{"HK", "US"} {
		a, o := fixture(t, db, j, "police-"+strings.ToLower(j)+".example")
		w.agencies[j] = [2]string{a.ID, o.ID}
	}
	staff := func(email string, roles ...dueprocess.Role) *dueprocess.Staff {
		s := &dueprocess.Staff{Email: email, Name: email, Roles: roles}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, s, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		return s
	}
	w.rae = staff("rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
	w.ann = staff("ann@example.com", dueprocess.RoleApprover)
	w.hugo = staff("hugo@example.com", dueprocess.RoleHumanRights)
	return w
}

// submit stores a request from jurisdiction and decides it with decide,
// reading the stored pauses in force as intake does.
func (w *reviewWorld) submit(jurisdiction string, decide store.Decider) *dueprocess.Request {
	w.t.Helper()
	r := sampleRequest(w.t)
	r.Jurisdiction = jurisdiction
	ids := w.agencies[dueprocess.Country(jurisdiction)]
	r.AgencyID, r.OfficialID = ids[0], ids[1]
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		pauses, err := tx.PausesInForce(ctx)
		if err != nil {
			return err
		}
		return tx.Decide(ctx, r, decide(r, pauses), dueprocess.System)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *reviewWorld) do(f func(tx *store.Tx) error) {
	w.t.Helper()
	if err := w.db.Transact(ctx, f); err != nil {
		w.t.Fatal(err)
	}
}

func (w *reviewWorld) propose(r *dueprocess.Request) {
	w.t.Helper()
	w.do(func(tx *store.Tx) error {
		_, err := tx.Propose(ctx, r.ID, w.rae, &dueprocess.NewProposal{Decision: "approve", Note: "subscriber records only"})
		return err
	})
}

func (w *reviewWorld) approve(r *dueprocess.Request) {
	w.t.Helper()
	w.do(func(tx *store.Tx) error { _, err := tx.Approve(ctx, r.ID, w.ann, "checked the subpoena"); return err })
}

func (w *reviewWorld) assess(r *dueprocess.Request) {
	w.t.Helper()
	w.do(func(tx *store.Tx) error {
		_, err := tx.AssessHumanRights(ctx, r.ID, w.hugo, dueprocess.HumanRightsProceed, dueprocess.Assessment{
			Legality: "a subpoena under the Crimes Ordinance", Necessity: "a named fraud victim", Proportionality: "one account, two months"}, "")
		return err
	})
}

// pause pauses jurisdiction (all kinds) and returns the pause and the ids
// it moved.
func (w *reviewWorld) pause(jurisdiction string) (*dueprocess.Pause, []string) {
	w.t.Helper()
	p := &dueprocess.Pause{Jurisdiction: jurisdiction, Reason: "human-rights due diligence", StartedBy: w.admin}
	var moved []string
	w.do(func(tx *store.Tx) (err error) { moved, err = tx.Pause(ctx, p); return err })
	return p, moved
}

// resume resumes jurisdiction with decide and returns the ids that left
// paused.
func (w *reviewWorld) resume(jurisdiction string, decide store.Decider) []string {
	w.t.Helper()
	var moved []string
	w.do(func(tx *store.Tx) (err error) {
		_, moved, err = tx.Resume(ctx, jurisdiction, "due diligence complete", w.admin, decide)
		return err
	})
	return moved
}

func (w *reviewWorld) request(r *dueprocess.Request) *dueprocess.Request {
	w.t.Helper()
	got, err := w.db.Request(ctx, r.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return got
}

func (w *reviewWorld) wantStatus(when string, r *dueprocess.Request, want dueprocess.Status) {
	w.t.Helper()
	if got := w.request(r).Status; got != want {
		w.t.Errorf("%s: %s is %s, want %s", when, r.ID, got, want)
	}
}

func (w *reviewWorld) reviews(r *dueprocess.Request) []dueprocess.Review {
	w.t.Helper()
	list, err := w.db.Reviews(ctx, r.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// checkCounts compares the report counts kept with a full recount.
func (w *reviewWorld) checkCounts(when string) {
	w.t.Helper()
	kept, err := w.db.ReportCounts(ctx, "")
	if err != nil {
		w.t.Fatal(err)
	}
	recount, err := w.db.RecountReport(ctx, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if !reflect.DeepEqual(kept, recount) {
		w.t.Errorf("%s: kept counts differ from a recount:\nkept    %v\nrecount %v", when, kept, recount)
	}
}

// entries returns the audit log's entries about r, oldest first.
func (w *reviewWorld) entries(r *dueprocess.Request) []audit.Entry {
	w.t.Helper()
	src := w.db.AuditLog()
	n, err := src.Size(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var list []audit.Entry
	err = src.Entries(ctx, 0, n, func(_ int64, data []byte) error {
		e, err := audit.Decode(data)
		if err != nil {
			return err
		}
		if e.Object == "request:"+r.ID {
			list = append(list, e)
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// moves returns r's status changes in the audit log, as "from→to".
func (w *reviewWorld) moves(r *dueprocess.Request) []string {
	w.t.Helper()
	var out []string
	for _, e := range w.entries(r) {
		if e.Action != dueprocess.ActionRequestStatus {
			continue
		}
		var b struct{ From, To string }
		if err := json.Unmarshal(e.Body, &b); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, b.From+"→"+b.To)
	}
	return out
}

func TestResumeKeepsApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		approved := w.submit("HK", w.reviewDecide)
		w.propose(approved)
		w.approve(approved)
		waiting := w.submit("HK", w.reviewDecide)
		w.propose(waiting)
		w.wantStatus("before the pause", approved, dueprocess.StatusApproved)
		w.wantStatus("before the pause", waiting, dueprocess.StatusAwaitingApproval)
		before := w.request(approved).Decision
		w.checkCounts("before the pause")

		_, moved := w.pause("HK")
		if want := []string{approved.ID, waiting.ID}; !slices.Equal(moved, want) {
			t.Errorf("pause moved %v, want %v: an approved request's data has not left yet", moved, want)
		}
		w.wantStatus("during the pause", approved, dueprocess.StatusPaused)
		w.checkCounts("after the pause")

		// Nothing but the end of the pause brings a paused request back
		// to an approval, and only to the one it had.
		for _, to := range []dueprocess.Status{dueprocess.StatusApproved, dueprocess.StatusPartiallyApproved, dueprocess.StatusAwaitingApproval} {
			err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetStatus(ctx, waiting.ID, to, dueprocess.System, "") })
			if to != dueprocess.StatusAwaitingApproval && !errors.Is(err, dueprocess.ErrConflict) {
				t.Errorf("paused (from awaiting_approval) → %s: %v, want a conflict", to, err)
			}
			if to == dueprocess.StatusAwaitingApproval {
				if err != nil {
					t.Errorf("paused (from awaiting_approval) → awaiting_approval: %v", err)
				}
				w.do(func(tx *store.Tx) error {
					return tx.SetStatus(ctx, waiting.ID, dueprocess.StatusPaused, dueprocess.System, "")
				})
			}
		}

		moved = w.resume("HK", w.reviewDecide)
		if want := []string{approved.ID, waiting.ID}; !slices.Equal(moved, want) {
			t.Errorf("resume moved %v, want %v", moved, want)
		}
		w.wantStatus("after the resume", approved, dueprocess.StatusApproved)
		w.wantStatus("after the resume", waiting, dueprocess.StatusAwaitingApproval)
		if rv := w.reviews(approved); len(rv) != 2 || rv[0].StaffID != w.rae.ID || rv[1].StaffID != w.ann.ID || rv[1].Kind != dueprocess.ReviewKindApproval {
			t.Errorf("reviews after the resume: %+v, want the proposal and the approval", rv)
		}
		if after := w.request(approved).Decision; !reflect.DeepEqual(after, before) {
			t.Errorf("decision after the resume %+v, want the one it was reviewed on %+v", after, before)
		}
		want := []string{"received→in_review", "in_review→awaiting_approval", "awaiting_approval→approved", "approved→paused", "paused→approved"}
		if got := w.moves(approved); !slices.Equal(got, want) {
			t.Errorf("audited moves %v, want %v", got, want)
		}
		for _, e := range w.entries(approved)[1:] {
			if e.Action == dueprocess.ActionRequestDecided && e.Actor == w.admin {
				t.Errorf("the resume decided %s again: %s", approved.ID, e.Body)
			}
		}
		w.checkCounts("after the resume")

		// The four eyes pick up where they were.
		w.approve(waiting)
		w.wantStatus("after the second approval", waiting, dueprocess.StatusApproved)
	})
}

func TestResumeKeepsEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		escalated := w.submit("HK", w.escalateDecide)
		assessed := w.submit("HK", w.escalateDecide)
		w.assess(assessed)
		w.propose(assessed)
		w.wantStatus("before the pause", escalated, dueprocess.StatusEscalated)
		w.wantStatus("before the pause", assessed, dueprocess.StatusAwaitingApproval)

		if _, moved := w.pause("HK"); len(moved) != 2 {
			t.Errorf("pause moved %v, want both", moved)
		}
		arrived := w.submit("HK", w.escalateDecide)
		w.wantStatus("arriving during the pause", arrived, dueprocess.StatusPaused)

		// The policy still escalates these requests: nothing is stricter,
		// so each returns where it was, and the one that arrived paused is
		// evaluated as new.
		moved := w.resume("HK", w.escalateDecide)
		if want := []string{escalated.ID, assessed.ID, arrived.ID}; !slices.Equal(moved, want) {
			t.Errorf("resume moved %v, want %v", moved, want)
		}
		w.wantStatus("after the resume", escalated, dueprocess.StatusEscalated)
		w.wantStatus("after the resume", assessed, dueprocess.StatusAwaitingApproval)
		w.wantStatus("after the resume (arrived paused)", arrived, dueprocess.StatusEscalated)
		if rv := w.reviews(assessed); len(rv) != 2 || rv[0].Kind != dueprocess.ReviewKindHumanRights || rv[0].Assessment == nil ||
			rv[1].Kind != dueprocess.ReviewKindProposal {
			t.Errorf("reviews after the resume: %+v, want the assessment and the proposal", rv)
		}
		if got, want := w.moves(escalated), []string{"received→escalated", "escalated→paused", "paused→escalated"}; !slices.Equal(got, want) {
			t.Errorf("audited moves %v, want %v", got, want)
		}
		w.checkCounts("after the resume")

		// The human-rights officer can now do the work the pause held.
		w.assess(escalated)
		w.wantStatus("after the assessment", escalated, dueprocess.StatusInReview)
	})
}

// TestResumeAppliesStricterPolicy checks the one exception: a policy that
// became stricter during the pause wins over the status the pause found,
// so that a resume never lets out what the policy in force refuses.
func TestResumeAppliesStricterPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		refused := w.submit("HK", w.reviewDecide)
		w.propose(refused)
		w.approve(refused)
		escalated := w.submit("US", w.reviewDecide)
		w.propose(escalated)
		w.approve(escalated)
		w.pause("HK")
		w.pause("US")

		w.resume("HK", resumeDecider(dueprocess.OutcomeRefuse))
		w.wantStatus("after a resume under a policy that refuses it", refused, dueprocess.StatusRefused)
		w.resume("US", w.escalateDecide)
		w.wantStatus("after a resume under a policy that escalates it", escalated, dueprocess.StatusEscalated)
		if d := w.request(escalated).Decision; d.Outcome != dueprocess.OutcomeEscalate {
			t.Errorf("stored decision %+v, want the new one", d)
		}
		if rv := w.reviews(escalated); len(rv) != 2 {
			t.Errorf("reviews %+v: kept on record even when the policy overrides them", rv)
		}
		w.checkCounts("after the resumes")
	})
}

func TestPauseLeavesClosedRequestsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		// One request in each finished status, reached by moves the
		// workflow allows.
		paths := map[dueprocess.Status][]dueprocess.Status{
			dueprocess.StatusRefused:   {dueprocess.StatusEscalated, dueprocess.StatusRefused},
			dueprocess.StatusRejected:  {dueprocess.StatusRejected},
			dueprocess.StatusNoData:    {dueprocess.StatusNoData},
			dueprocess.StatusDisclosed: {dueprocess.StatusAwaitingApproval, dueprocess.StatusApproved, dueprocess.StatusDisclosed},
			dueprocess.StatusClosed:    {dueprocess.StatusRejected, dueprocess.StatusClosed},
			dueprocess.StatusWithdrawn: {dueprocess.StatusWithdrawn},
		}
		finished := map[dueprocess.Status]*dueprocess.Request{}
		for _, s := range dueprocess.Statuses {
			if s.Open() {
				continue
			}
			path, ok := paths[s]
			if !ok {
				t.Fatalf("no path to the finished status %s", s)
			}
			r := w.submit("HK", w.reviewDecide)
			for _, to := range path {
				w.do(func(tx *store.Tx) error { return tx.SetStatus(ctx, r.ID, to, dueprocess.System, "") })
			}
			finished[s] = r
		}
		open := w.submit("HK", w.reviewDecide)
		w.checkCounts("before the pause")
		audited := map[string]int{}
		for _, r := range finished {
			audited[r.ID] = len(w.entries(r))
		}

		if _, moved := w.pause("HK"); !slices.Equal(moved, []string{open.ID}) {
			t.Errorf("pause moved %v, want only the open request %s", moved, open.ID)
		}
		if moved := w.resume("HK", w.reviewDecide); !slices.Equal(moved, []string{open.ID}) {
			t.Errorf("resume moved %v, want only the open request %s", moved, open.ID)
		}
		for s, r := range finished {
			w.wantStatus("after a pause and a resume", r, s)
			if got := len(w.entries(r)); got != audited[r.ID] {
				t.Errorf("%s (%s): %d audit entries, want %d: a finished request is not touched", r.ID, s, got, audited[r.ID])
			}
		}
		w.wantStatus("after a pause and a resume", open, dueprocess.StatusInReview)
		w.checkCounts("after the resume")
	})
}

func TestOverlappingPausesResumeOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)

		// Two stored pauses: the country, then one of its subdivisions.
		approved := w.submit("US-CA", w.reviewDecide)
		w.propose(approved)
		w.approve(approved)
		escalated := w.submit("US-CA", w.escalateDecide)
		elsewhere := w.submit("US-NY", w.escalateDecide)
		if _, moved := w.pause("US"); len(moved) != 3 {
			t.Errorf("pause of US moved %v, want all three", moved)
		}
		if _, moved := w.pause("US-CA"); len(moved) != 0 {
			t.Errorf("pause of US-CA moved %v, want none: they are held already", moved)
		}
		if moved := w.resume("US", w.reviewDecide); !slices.Equal(moved, []string{elsewhere.ID}) {
			t.Errorf("resume of US moved %v, want only %s, which US-CA's pause does not cover", moved, elsewhere.ID)
		}
		w.wantStatus("US resumed, US-CA still paused", approved, dueprocess.StatusPaused)
		w.wantStatus("US resumed, US-CA still paused", elsewhere, dueprocess.StatusEscalated)
		if moved := w.resume("US-CA", w.reviewDecide); !slices.Equal(moved, []string{approved.ID, escalated.ID}) {
			t.Errorf("resume of US-CA moved %v, want both", moved)
		}
		w.wantStatus("after both resumes", approved, dueprocess.StatusApproved)
		w.wantStatus("after both resumes", escalated, dueprocess.StatusEscalated)
		if got, want := w.moves(approved), []string{"received→in_review", "in_review→awaiting_approval", "awaiting_approval→approved",
			"approved→paused", "paused→approved"}; !slices.Equal(got, want) {
			t.Errorf("audited moves %v, want %v: one pause, one return", got, want)
		}
		w.checkCounts("after the stored pauses")

		// A stored pause and a pause of the policy file: resuming the
		// stored one leaves the request paused while the file's holds it;
		// once the file no longer pauses HK, the next resume returns it.
		hk := w.submit("HK", w.reviewDecide)
		w.propose(hk)
		w.approve(hk)
		w.pause("HK")
		file := dueprocess.Pause{ID: "policy:HK.1", Jurisdiction: "HK", Reason: "National Security Law in force",
			StartedAt: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC), StartedBy: dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "policy"}}
		withFile := resumeDecider(dueprocess.OutcomeReview, file)
		if moved := w.resume("HK", withFile); len(moved) != 0 {
			t.Errorf("resume under the file's pause moved %v, want none", moved)
		}
		w.wantStatus("the file's pause still in force", hk, dueprocess.StatusPaused)
		if d := w.request(hk).Decision; d.Outcome != dueprocess.OutcomeReview {
			t.Errorf("decision %+v: the one it was reviewed on must stay", d)
		}
		w.pause("HK")
		if moved := w.resume("HK", w.reviewDecide); !slices.Equal(moved, []string{hk.ID}) {
			t.Errorf("resume without the file's pause moved %v, want %s", moved, hk.ID)
		}
		w.wantStatus("no pause left", hk, dueprocess.StatusApproved)
		if rv := w.reviews(hk); len(rv) != 2 {
			t.Errorf("reviews %+v, want the proposal and the approval", rv)
		}
		if got, want := w.moves(hk), []string{"received→in_review", "in_review→awaiting_approval", "awaiting_approval→approved",
			"approved→paused", "paused→approved"}; !slices.Equal(got, want) {
			t.Errorf("audited moves %v, want %v", got, want)
		}
		w.checkCounts("after the file's pause")
	})
}

// TestPolicyFilePauseEndReleases: a request held by a pause of the policy
// file used to stay paused for good once the file's pause ended, since
// only a resume of a stored pause released requests. ReleaseUnheld, which
// serve runs at start and hourly, returns it to where the pause found it,
// evaluates one that arrived paused as new, and leaves alone what a stored
// pause or the file still holds.
func TestPolicyFilePauseEndReleases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newReviewWorld(t, db)
		file := dueprocess.Pause{ID: "policy:HK.1", Jurisdiction: "HK", Reason: "National Security Law in force",
			StartedAt: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC), StartedBy: dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "policy"}}
		withFile := resumeDecider(dueprocess.OutcomeReview, file)

		// Approved, then held by a stored pause and the file's pause; the
		// stored pause ends while the file's holds it.
		approved := w.submit("HK", w.reviewDecide)
		w.propose(approved)
		w.approve(approved)
		w.pause("HK")
		w.resume("HK", withFile)
		// Arrived while the file paused HK.
		arrived := w.submit("HK", withFile)
		// Held by a stored pause of the US, which is still in force.
		us := w.submit("US", w.reviewDecide)
		w.pause("US")
		for _, r := range []*dueprocess.Request{approved, arrived, us} {
			w.wantStatus("before", r, dueprocess.StatusPaused)
		}

		release := func(decide store.Decider) []string {
			var moved []string
			w.do(func(tx *store.Tx) (err error) {
				moved, err = tx.ReleaseUnheld(ctx, decide, dueprocess.System)
				return err
			})
			return moved
		}
		if moved := release(withFile); len(moved) != 0 {
			t.Errorf("with the file's pause in force, released %v; want none", moved)
		}
		moved := release(w.reviewDecide)
		slices.Sort(moved)
		if want := []string{approved.ID, arrived.ID}; !slices.Equal(moved, want) {
			t.Errorf("once the file's pause ended, released %v; want %v", moved, want)
		}
		w.wantStatus("released", approved, dueprocess.StatusApproved)
		w.wantStatus("released", arrived, dueprocess.StatusInReview)
		w.wantStatus("still held by the US pause", us, dueprocess.StatusPaused)
		if rv := w.reviews(approved); len(rv) != 2 {
			t.Errorf("reviews %+v, want the proposal and the approval kept", rv)
		}
		if moved := release(w.reviewDecide); len(moved) != 0 {
			t.Errorf("a second run released %v; want none", moved)
		}
		w.checkCounts("after the release")
	})
}
