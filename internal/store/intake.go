package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// Submission is a checked request as an official submits it, with what
// intake needs to take it in.
type Submission struct {
	// Request is the request as checked, with AgencyID and OfficialID
	// set. It is not changed: each run of the transaction starts from it.
	Request *dueprocess.Request
	By      dueprocess.Actor
	Decide  Decider
	// Origin is how the request came: through the API with a token from
	// an address, or on paper, entered by staff, with the sender it names.
	Origin Origin

	// Principal and Key are the Idempotency-Key and whose it is ("" for
	// none); BodyHash the hash of the body it came with.
	Principal, Key, BodyHash string

	// Documents are attached to the new request in the same transaction
	// (their content is stored already, by its hash): the portal's form
	// sends the legal document with the request, and so does the console's
	// New request form for a demand entered from paper.
	Documents []dueprocess.Document

	// Answer renders the response to the submission, which a retry with
	// the same key gets again. It runs inside the transaction, so it must
	// have no other effect.
	Answer func(r *dueprocess.Request) ([]byte, error)
}

// Submitted is the answer to a submission: the request as stored (nil
// for a replay), its id and the response.
type Submitted struct {
	Request  *dueprocess.Request
	ID       string
	Response []byte
	// Replayed is set when the key was seen before and Response is the
	// first answer, stored then.
	Replayed bool
}

// Submit takes in a request in one transaction: it stores it with the
// decision of the policy on it, given the pauses in force, and the status
// the decision calls for, counts it, records it in the audit log and, with
// a key, remembers the answer. It returns only after the commit. A key
// seen before with the same body gets the first answer again; with
// another body it is a Conflict naming the Idempotency-Key.
func (db *DB) Submit(ctx context.Context, s Submission) (*Submitted, error) {
	for try := 0; ; try++ {
		if s.Key != "" {
			if prev, err := db.replay(ctx, s); prev != nil || err != nil {
				return prev, err
			}
		}
		done, err := db.submit(ctx, s)
		// A conflict on the key is a concurrent retry that took it first.
		// If that retry shared this one's group, it is not committed yet
		// when this one learns of it, but it is before the committer
		// takes the next group: so look again, and if its answer is not
		// there (it failed after all), try again.
		if s.Key == "" || !errors.Is(err, dueprocess.ErrConflict) || try == 2 {
			return done, err
		}
	}
}

func (db *DB) submit(ctx context.Context, s Submission) (*Submitted, error) {
	var out *Submitted
	err := db.Transact(ctx, func(tx *Tx) error {
		// The op may run again if another in its group fails, so it
		// starts from the request as checked every time.
		r := *s.Request
		if err := tx.Submit(ctx, &r, s.By, s.Decide, s.Origin); err != nil {
			return err
		}
		r.Documents = []dueprocess.Document{}
		for _, d := range s.Documents {
			d.RequestID = r.ID
			if err := tx.AddDocument(ctx, &d); err != nil {
				return err
			}
			r.Documents = append(r.Documents, d)
		}
		resp, err := s.Answer(&r)
		if err != nil {
			return err
		}
		out = &Submitted{Request: &r, ID: r.ID, Response: resp}
		if s.Key == "" {
			return nil
		}
		return tx.SaveIdempotent(ctx, s.Principal, s.Key, &Idempotent{BodyHash: s.BodyHash, RequestID: r.ID, Response: resp})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// replay returns the stored answer to a submission with s's key, or nil
// if there is none.
func (db *DB) replay(ctx context.Context, s Submission) (*Submitted, error) {
	prev, err := db.IdempotentAnswer(ctx, s.Principal, s.Key)
	if errors.Is(err, dueprocess.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if prev.BodyHash != s.BodyHash {
		return nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "Idempotency-Key",
			Message: fmt.Sprintf("this key was already used for request %s with a different body; use a new key for a new request", prev.RequestID)}
	}
	return &Submitted{ID: prev.RequestID, Response: prev.Response, Replayed: true}, nil
}

// Submit stores a checked request as intake takes it in: with its
// decision and the status the decision calls for in its first row, its
// targets, its history (received, and the policy's move), its count, and
// one audit entry that says what arrived, what the policy decided and
// where that put it. The caller sets AgencyID and OfficialID; for a demand
// entered by staff from paper, OfficialID may be empty and origin.Sender
// names the official, who is found by e-mail address in the agency or
// added to it. The signals (see signals) are computed before the policy
// judges the request, so that its rules can read them; a signal that
// needs a callback alerts the administrators.
//
// The pauses in force are read inside the transaction, once per group;
// on PostgreSQL after taking the lock on requests that a pause takes too
// (see lockRequests), so that a pause committed by another server either
// is read here or waits for this transaction and then sees its requests.
func (tx *Tx) Submit(ctx context.Context, r *dueprocess.Request, by dueprocess.Actor, decide Decider, origin Origin) error {
	pauses, err := tx.intakePauses(ctx)
	if err != nil {
		return err
	}
	if err := tx.verifySender(ctx, r, by, origin); err != nil {
		return err
	}
	r.ReceivedAt, r.UpdatedAt = tx.now, tx.now
	r.Status, r.Decision = dueprocess.StatusReceived, nil
	if r.Documents == nil {
		r.Documents = []dueprocess.Document{}
	}
	year := r.ReceivedAt.Year()
	seq, err := tx.NextNumber(ctx, fmt.Sprintf("request:%d", year))
	if err != nil {
		return err
	}
	r.ID = fmt.Sprintf("DP-%d-%06d", year, seq)

	// The policy judges the request as it arrives, received; its outcome
	// says where it goes.
	d := decide(r, pauses)
	decision, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("decision on %s: %w", r.ID, err)
	}
	r.Decision = &d
	r.Status = d.Outcome.Status()
	// Due at the end of the request's own deadline's day, or in the
	// policy's time for its kind, jurisdiction and legal process.
	r.DueAt = r.Due(d.DueWithin)

	if err := tx.insertRequest(ctx, r, string(decision)); err != nil {
		return err
	}
	if err := tx.insertTargets(ctx, r.ID, r.Targets); err != nil {
		return err
	}
	if err := tx.insertContent(ctx, r); err != nil {
		return err
	}
	if err := tx.count(ctx, r.ReceivedAt, r.Jurisdiction, r.Kind, r.LegalProcess.Type, r.Status, 1, int64(len(r.Targets))); err != nil {
		return err
	}
	if err := tx.intakeHolds(ctx, r, by); err != nil {
		return err
	}
	// A new request's history starts here, so its events' numbers are
	// known: received, then the policy's move, if it moved it.
	events := `INSERT INTO request_events (request_id, seq, at, actor_type, actor_id, type, detail) VALUES ($1, 1, $2, $3, $4, $5, $6)`
	args := []any{r.ID, tx.db.ts(r.ReceivedAt), string(by.Type), by.ID, dueprocess.EventReceived, ""}
	if r.Status != dueprocess.StatusReceived {
		events += `, ($1, 2, $2, $7, $8, $9, $10)`
		args = append(args, string(dueprocess.System.Type), dueprocess.System.ID, dueprocess.EventStatusChanged, "policy: "+string(d.Outcome))
	}
	if err := tx.tx.write(ctx, events, args...); err != nil {
		return fmt.Errorf("history of %s: %w", r.ID, err)
	}
	if err := tx.alertSignals(ctx, r); err != nil {
		return err
	}
	// The entry names the request's shape, never its targets: those are
	// user data, and the log is kept for ever. It holds what the
	// request.decided and request.status_changed entries of a later
	// decision hold, under "decision" and "status".
	body := map[string]any{
		"agency_id": r.AgencyID, "official_id": r.OfficialID, "kind": r.Kind, "jurisdiction": r.Jurisdiction,
		"legal_process": r.LegalProcess.Type, "data_categories": r.DataCategories, "targets": len(r.Targets),
		"received_at": r.ReceivedAt, "due_at": r.DueAt, "status": map[string]any{"from": dueprocess.StatusReceived, "to": r.Status},
		"decision": decisionBody(d), "channel": r.Channel, "signals": signalCodes(r.Signals)}
	if r.Kind == dueprocess.KindContentRestriction {
		// How many items, never which: like targets, they may name people.
		body["items"], body["requester_type"], body["reason"] = len(r.Items), r.RequesterType, r.Reason
	}
	if r.Attestation != nil {
		body["attestation"] = r.Attestation
	}
	return tx.Record(ctx, by, dueprocess.ActionRequestCreated, "request:"+r.ID, body)
}

// decisionBody is what the audit log keeps of a decision: its outcome, the
// policy's version, the rules that spoke, and the categories allowed and
// denied.
func decisionBody(d dueprocess.Decision) map[string]any {
	rules := make([]string, len(d.Reasons))
	for i, reason := range d.Reasons {
		rules[i] = reason.Rule
	}
	denied := []dueprocess.DataCategory{}
	for _, c := range dueprocess.DataCategories {
		if v, ok := d.Categories[c]; ok && !v.Allowed {
			denied = append(denied, c)
		}
	}
	return map[string]any{"outcome": d.Outcome, "policy": d.Policy, "rules": rules, "allowed": d.Allowed(), "denied": denied}
}

// intakePauses returns the pauses in force for intake, read once per
// group (a pause or resume in the group reads them again).
func (tx *Tx) intakePauses(ctx context.Context) ([]dueprocess.Pause, error) {
	g := tx.group
	if g.pausesRead {
		return g.pauses, nil
	}
	if tx.db.dialect == Postgres {
		// Held back, and sent with the read below. A pause holds SHARE
		// ROW EXCLUSIVE on requests, which this waits for and which waits
		// for this.
		if err := tx.tx.write(ctx, `LOCK TABLE requests IN ROW EXCLUSIVE MODE`); err != nil {
			return nil, err
		}
	}
	list, err := tx.PausesInForce(ctx)
	if err != nil {
		return nil, err
	}
	g.pauses, g.pausesRead = list, true
	return list, nil
}

// intakeHolds does at intake what a move does to holds later: a
// preservation request the policy sends to review gets its holds, and a
// user_data request still open keeps the holds on its targets (see
// holdsOnMove). A paused, refused or escalated preservation request gets
// none yet; it gets them when it reaches review.
func (tx *Tx) intakeHolds(ctx context.Context, r *dueprocess.Request, by dueprocess.Actor) error {
	switch {
	case r.Kind == dueprocess.KindPreservation && r.Status == dueprocess.StatusInReview:
		return tx.placeHolds(ctx, r.ID, r.Jurisdiction, r.LegalProcess.Type, r.Targets, by)
	case r.Kind == dueprocess.KindUserData && r.Status.Open():
		return tx.linkHolds(ctx, r.ID, r.Targets, by)
	}
	return nil
}
