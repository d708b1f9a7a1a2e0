package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dueprocess/dueprocess"
)

// Decider evaluates a request against the policy in force, given the
// stored pauses in force; it is policy.Evaluate with the policy bound.
// The store takes it as a function so that it needs no policy of its own.
type Decider func(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision

// Decide stores d as r's decision, moves r to the status its outcome
// calls for, and records both in the audit log. The decision is made by
// the policy engine, so the actor is normally dueprocess.System.
func (tx *Tx) Decide(ctx context.Context, r *dueprocess.Request, d dueprocess.Decision, by dueprocess.Actor) error {
	if err := tx.storeDecision(ctx, r, d, by); err != nil {
		return err
	}
	if status := d.Outcome.Status(); status != r.Status {
		if err := tx.SetStatus(ctx, r.ID, status, by, "policy: "+string(d.Outcome)); err != nil {
			return err
		}
		r.Status = status
	}
	r.UpdatedAt = tx.now
	return nil
}

// storeDecision stores d as r's decision and records it, leaving r's
// status alone.
func (tx *Tx) storeDecision(ctx context.Context, r *dueprocess.Request, d dueprocess.Decision, by dueprocess.Actor) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("decision on %s: %w", r.ID, err)
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET decision = $1, updated_at = $2 WHERE id = $3`, string(b), tx.db.ts(tx.now), r.ID); err != nil {
		return fmt.Errorf("decision on %s: %w", r.ID, err)
	}
	if err := tx.Record(ctx, by, dueprocess.ActionRequestDecided, "request:"+r.ID, decisionBody(d)); err != nil {
		return err
	}
	r.Decision = &d
	return nil
}

// pausable lists the statuses a pause holds (dueprocess.Status.Pausable):
// every status of a request not yet finished, approved ones included, so
// that nothing is answered while a jurisdiction is paused.
var pausable = func() []dueprocess.Status {
	var list []dueprocess.Status
	for _, s := range dueprocess.Statuses {
		if s.Pausable() {
			list = append(list, s)
		}
	}
	return list
}()

const pauseColumns = `id, jurisdiction, kinds, routes, except_emergency, reason, started_at, started_by_type, started_by_id,
	ended_at, ended_by_type, ended_by_id, end_reason`

func scanPause(row interface{ Scan(...any) error }) (dueprocess.Pause, error) {
	var p dueprocess.Pause
	var kinds, routes, startType, endType, endID string
	err := row.Scan(&p.ID, &p.Jurisdiction, &kinds, &routes, &p.Scope.ExceptEmergency, &p.Reason,
		timeCol{&p.StartedAt}, &startType, &p.StartedBy.ID,
		nullTimeCol{&p.EndedAt}, nullString{&endType}, nullString{&endID}, nullString{&p.EndReason})
	if err != nil {
		return p, err
	}
	p.Scope.Kinds = splitList[dueprocess.RequestKind](kinds)
	p.Scope.Routes = splitList[dueprocess.Route](routes)
	p.StartedBy.Type = dueprocess.ActorType(startType)
	if p.EndedAt != nil {
		p.EndedBy = &dueprocess.Actor{Type: dueprocess.ActorType(endType), ID: endID}
	}
	return p, nil
}

func (db *DB) pauses(ctx context.Context, q querier, where string, args ...any) ([]dueprocess.Pause, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pauseColumns+` FROM jurisdiction_pauses `+where+` ORDER BY started_at, id`, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("read pauses: %w", err))
	}
	defer rows.Close()
	list := []dueprocess.Pause{}
	for rows.Next() {
		p, err := scanPause(rows)
		if err != nil {
			return nil, mapError(fmt.Errorf("read pauses: %w", err))
		}
		list = append(list, p)
	}
	return list, mapError(rows.Err())
}

// PausesInForce returns every pause in force, in any jurisdiction. There
// are few, and intake reads them inside its transaction, after storing the
// request, so that a pause committed by another server or by the command
// line applies to the very next request.
func (tx *Tx) PausesInForce(ctx context.Context) ([]dueprocess.Pause, error) {
	return tx.db.pauses(ctx, tx.tx, `WHERE ended_at IS NULL`)
}

// PausesInForce returns every pause in force, in any jurisdiction.
func (db *DB) PausesInForce(ctx context.Context) ([]dueprocess.Pause, error) {
	return db.pauses(ctx, db.sql, `WHERE ended_at IS NULL`)
}

// Pauses returns the pause history of a jurisdiction, oldest first,
// including pauses of its subdivisions when it is a country; with an empty
// jurisdiction, of every jurisdiction.
func (db *DB) Pauses(ctx context.Context, jurisdiction string) ([]dueprocess.Pause, error) {
	if jurisdiction == "" {
		return db.pauses(ctx, db.sql, ``)
	}
	return db.pauses(ctx, db.sql, `WHERE jurisdiction = $1 OR jurisdiction LIKE $2`, jurisdiction, jurisdiction+"-%")
}

// lockRequests makes a pause or a resume wait for intake in flight and
// intake wait for the pause, on PostgreSQL, where several servers write at
// once: intake stores its request before it reads the pauses in force, so
// either the pause's sweep sees the new request or the request sees the
// pause. SQLite has one writer at a time, which gives the same.
func (tx *Tx) lockRequests(ctx context.Context) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	if _, err := tx.exec(ctx, `LOCK TABLE requests IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock requests for a pause: %w", err)
	}
	return nil
}

// openRequests returns the requests of a jurisdiction (and its
// subdivisions) whose status is one of statuses.
func (tx *Tx) openRequests(ctx context.Context, jurisdiction string, statuses []dueprocess.Status) ([]*dueprocess.Request, error) {
	// "" is every jurisdiction.
	var args []any
	where := `TRUE`
	if jurisdiction != "" {
		args = []any{jurisdiction, jurisdiction + "-%"}
		where = `jurisdiction = $1 OR jurisdiction LIKE $2`
	}
	in := ""
	for i, s := range statuses {
		if i > 0 {
			in += ", "
		}
		args = append(args, string(s))
		in += fmt.Sprintf("$%d", len(args))
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests
		WHERE (`+where+`) AND status IN (`+in+`) ORDER BY id`, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("read open requests of %s: %w", jurisdiction, err))
	}
	defer rows.Close()
	var list []*dueprocess.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	for _, r := range list {
		if r.Targets, err = tx.db.targets(ctx, tx.tx, r.ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Pause puts p in force from now (or from p.StartedAt, if that is in the
// past, to record history): it stores the pause, records it in the
// audit log, and moves every unfinished request in its scope to paused,
// remembering the status each one had (see Resume). A request already
// paused, by another pause, keeps the status it had before that one, and a
// finished request is never touched. It fills in p's id and start and
// returns the ids of the requests it moved. A jurisdiction already paused
// is a Conflict: resume it first to change the scope.
func (tx *Tx) Pause(ctx context.Context, p *dueprocess.Pause) ([]string, error) {
	if err := tx.lockRequests(ctx); err != nil {
		return nil, err
	}
	tx.group.pausesRead = false // intake later in this group reads them again
	p.ID = newID("pz")
	// A pause starts now, unless it records history: one that began
	// before dueprocess was in use keeps its start.
	if p.StartedAt.IsZero() || p.StartedAt.After(tx.now) {
		p.StartedAt = tx.now
	}
	p.EndedAt, p.EndedBy, p.EndReason = nil, nil, ""
	_, err := tx.exec(ctx, `INSERT INTO jurisdiction_pauses (id, jurisdiction, kinds, routes, except_emergency, reason,
		started_at, started_by_type, started_by_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		p.ID, p.Jurisdiction, joinList(p.Scope.Kinds), joinList(p.Scope.Routes), p.Scope.ExceptEmergency, p.Reason,
		tx.db.ts(p.StartedAt), string(p.StartedBy.Type), p.StartedBy.ID)
	if dueprocess.ErrorKind(mapError(err)) == dueprocess.Conflict {
		return nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "jurisdiction",
			Message: fmt.Sprintf("%s is already paused; resume it first to change the pause", p.Jurisdiction)}
	}
	if err != nil {
		return nil, fmt.Errorf("pause %s: %w", p.Jurisdiction, err)
	}
	if err := tx.Record(ctx, p.StartedBy, dueprocess.ActionJurisdictionPaused, "jurisdiction:"+p.Jurisdiction, map[string]any{
		"pause_id": p.ID, "scope": p.Scope, "reason": p.Reason, "since": p.StartedAt}); err != nil {
		return nil, err
	}
	open, err := tx.openRequests(ctx, p.Jurisdiction, pausable)
	if err != nil {
		return nil, err
	}
	moved := []string{}
	for _, r := range open {
		if !p.Covers(r) {
			continue
		}
		detail := fmt.Sprintf("jurisdiction pause %s: %s", p.ID, p.Reason)
		if err := tx.SetStatus(ctx, r.ID, dueprocess.StatusPaused, p.StartedBy, detail); err != nil {
			return nil, err
		}
		moved = append(moved, r.ID)
	}
	return moved, nil
}

// Resume ends the pause in force in jurisdiction, records it, and
// releases every request it held that no other pause in force covers, to
// the status the first pause found it in: an approved request stays
// approved, an escalated one escalated, with its proposals, approvals and
// assessments, since a pause holds work; it does not undo it. Each is
// judged again with decide, as of now and with the pauses still in force,
// only to see whether something else must happen instead:
//
//   - a pause of the policy file still covers it: it stays paused, and
//     keeps the status to return to;
//   - the policy has become stricter for it while it was held (it refuses
//     it, or its outcome is more restrictive than the stored decision's, or
//     it denies a category the stored decision allowed): the new decision
//     is stored and the request goes where it says, so that a resume never
//     lets out what the policy in force refuses.
//
// A request with no status to return to (it arrived paused, or was held
// before the status was kept) is evaluated as new, and goes where its
// decision says, normally in_review. It returns the ended pause and the
// ids of the requests that left paused.
func (tx *Tx) Resume(ctx context.Context, jurisdiction, reason string, by dueprocess.Actor, decide Decider) (*dueprocess.Pause, []string, error) {
	if err := tx.lockRequests(ctx); err != nil {
		return nil, nil, err
	}
	tx.group.pausesRead = false // intake later in this group reads them again
	list, err := tx.db.pauses(ctx, tx.tx, `WHERE jurisdiction = $1 AND ended_at IS NULL`, jurisdiction)
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, &dueprocess.Error{Kind: dueprocess.Conflict, Field: "jurisdiction",
			Message: fmt.Sprintf("%s is not paused", jurisdiction)}
	}
	p := list[0]
	if _, err := tx.exec(ctx, `UPDATE jurisdiction_pauses SET ended_at = $1, ended_by_type = $2, ended_by_id = $3, end_reason = $4
		WHERE id = $5`, tx.db.ts(tx.now), string(by.Type), by.ID, reason, p.ID); err != nil {
		return nil, nil, fmt.Errorf("resume %s: %w", jurisdiction, err)
	}
	now := tx.now
	p.EndedAt, p.EndedBy, p.EndReason = &now, &by, reason
	if err := tx.Record(ctx, by, dueprocess.ActionJurisdictionResumed, "jurisdiction:"+jurisdiction, map[string]any{
		"pause_id": p.ID, "reason": reason}); err != nil {
		return nil, nil, err
	}
	inForce, err := tx.PausesInForce(ctx)
	if err != nil {
		return nil, nil, err
	}
	held, err := tx.openRequests(ctx, jurisdiction, []dueprocess.Status{dueprocess.StatusPaused})
	if err != nil {
		return nil, nil, err
	}
	moved := []string{}
	for _, r := range held {
		if !p.Covers(r) || slices.ContainsFunc(inForce, func(q dueprocess.Pause) bool { return q.Covers(r) }) {
			continue
		}
		detail := fmt.Sprintf("jurisdiction pause %s ended: back to %%s, where the pause found it", p.ID)
		released, err := tx.release(ctx, r, inForce, decide, by, detail)
		if err != nil {
			return nil, nil, err
		}
		if released {
			moved = append(moved, r.ID)
		}
	}
	return &p, moved, nil
}

// release takes a paused request that no stored pause covers any more
// back to where the pause found it, judged as of now with the pauses in
// force: a request that arrived paused, or that the policy now refuses or
// treats more strictly, gets the new decision; one that a pause of the
// policy file (or a rule whose outcome is pause) still holds stays
// paused. detail names the status it returns to with %s. It reports
// whether the request left paused.
func (tx *Tx) release(ctx context.Context, r *dueprocess.Request, inForce []dueprocess.Pause, decide Decider, by dueprocess.Actor, detail string) (bool, error) {
	back, err := tx.pausedFrom(ctx, r.ID)
	if err != nil {
		return false, err
	}
	at := r.ReceivedAt
	r.ReceivedAt = tx.now
	d := decide(r, inForce)
	r.ReceivedAt = at
	switch {
	case back == "" || back == dueprocess.StatusReceived || d.Outcome == dueprocess.OutcomeRefuse || (!holds(d) && stricter(r.Decision, d)):
		if err := tx.Decide(ctx, r, d, by); err != nil {
			return false, err
		}
	case holds(d):
		// A pause of the policy file holds it still. Its decision is left
		// alone: it is the one its review was made on.
		return false, nil
	default:
		if err := tx.SetStatus(ctx, r.ID, back, by, fmt.Sprintf(detail, back)); err != nil {
			return false, err
		}
		r.Status = back
	}
	return r.Status != dueprocess.StatusPaused, nil
}

// ReleaseUnheld releases every paused request that no pause holds any
// more: none stored is in force over it, and the policy in force (decide)
// pauses it no longer, because a pause of the policy file ended or was
// removed. Stored pauses release their requests when they are resumed;
// the policy file's have no such moment, so serve runs this at start and
// hourly. It returns the requests released.
func (tx *Tx) ReleaseUnheld(ctx context.Context, decide Decider, by dueprocess.Actor) ([]string, error) {
	if err := tx.lockRequests(ctx); err != nil {
		return nil, err
	}
	inForce, err := tx.PausesInForce(ctx)
	if err != nil {
		return nil, err
	}
	held, err := tx.openRequests(ctx, "", []dueprocess.Status{dueprocess.StatusPaused})
	if err != nil {
		return nil, err
	}
	moved := []string{}
	for _, r := range held {
		if slices.ContainsFunc(inForce, func(q dueprocess.Pause) bool { return q.Covers(r) }) {
			continue
		}
		released, err := tx.release(ctx, r, inForce, decide, by, "no pause holds it any more: back to %s, where the pause found it")
		if err != nil {
			return nil, err
		}
		if released {
			moved = append(moved, r.ID)
		}
	}
	return moved, nil
}

// pausedFrom returns the status a paused request had when a pause first
// held it, or "" if none was recorded.
func (tx *Tx) pausedFrom(ctx context.Context, id string) (dueprocess.Status, error) {
	var from string
	if err := tx.queryRow(ctx, `SELECT paused_from FROM requests WHERE id = $1`, id).Scan(nullString{&from}); err != nil {
		return "", notFound(err, "request "+id)
	}
	return dueprocess.Status(from), nil
}

// holds reports whether some pause (of the policy file, or a rule whose
// outcome is pause) holds the request d was made for.
func holds(d dueprocess.Decision) bool {
	return slices.ContainsFunc(d.Reasons, func(r dueprocess.Reason) bool { return r.Outcome == dueprocess.OutcomePause })
}

// stricter reports whether the policy's new decision is more restrictive
// than the stored one, on which the request was reviewed: a more
// restrictive outcome, or a category denied that was allowed. A request
// stored without a decision counts as one the policy sent to review.
func stricter(stored *dueprocess.Decision, now dueprocess.Decision) bool {
	if stored == nil {
		return now.Outcome.Severity() > dueprocess.OutcomeReview.Severity()
	}
	if now.Outcome.Severity() > stored.Outcome.Severity() {
		return true
	}
	for _, c := range stored.Allowed() {
		if v, ok := now.Categories[c]; !ok || !v.Allowed {
			return true
		}
	}
	return false
}
