package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// RecordCallback records a staff member's callback about a request. The
// number dialled must be the agency's callback number in our registry
// (compared digit by digit); any other number, such as one a request
// supplies, is a Conflict and nothing is recorded. A failed callback
// refuses the request as suspected forgery, suspends its official at once
// and alerts the administrators, all in this transaction.
func (tx *Tx) RecordCallback(ctx context.Context, requestID string, c *dueprocess.Callback, by dueprocess.Actor) error {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return err
	}
	a, err := tx.db.agency(ctx, tx.tx, r.AgencyID)
	if err != nil {
		return err
	}
	switch {
	case r.Forged != nil:
		return dueprocess.Errorf(dueprocess.Conflict, "request %s was refused as suspected forgery; no callback changes that", r.ID)
	case a.CallbackPhone == "":
		return dueprocess.Errorf(dueprocess.Conflict, "%s has no callback number in our registry; an administrator sets one (dueprocess agency set-contact) before a callback can count", a.Name)
	case !dueprocess.SamePhone(c.Dialled, a.CallbackPhone):
		return &dueprocess.Error{Kind: dueprocess.Conflict, Field: "dialled",
			Message: fmt.Sprintf("%s is not the callback number of %s in our registry (%s); only a call to the registry's number counts, never one a request gives", c.Dialled, a.Name, a.CallbackPhone)}
	}
	c.ID, c.RequestID, c.StaffID, c.RecordedAt = newID("cb"), r.ID, by.ID, tx.now
	if _, err := tx.exec(ctx, `INSERT INTO callbacks (id, request_id, staff_id, dialled, called_at, reached, outcome, note, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, c.RequestID, c.StaffID, c.Dialled, tx.db.ts(c.CalledAt), c.Reached,
		string(c.Outcome), c.Note, tx.db.ts(c.RecordedAt)); err != nil {
		return fmt.Errorf("record callback: %w", err)
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: by, Type: "callback",
		Detail: fmt.Sprintf("callback to %s: %s reached, %s", c.Dialled, c.Reached, c.Outcome)}); err != nil {
		return err
	}
	if err := tx.Record(ctx, by, dueprocess.ActionCallbackRecorded, "request:"+r.ID, map[string]any{
		"dialled": c.Dialled, "called_at": c.CalledAt, "reached": c.Reached, "outcome": c.Outcome}); err != nil {
		return err
	}
	if c.Outcome == dueprocess.CallbackFailed {
		return tx.refuseAsForged(ctx, r, fmt.Sprintf("the callback to %s (%s) failed: %s", a.Name, c.Dialled, c.Reached), by)
	}
	return nil
}

// refuseAsForged refuses request r as suspected forgery from whatever
// open status it is in, counts it apart for the report, suspends its
// official and alerts the administrators.
func (tx *Tx) refuseAsForged(ctx context.Context, r *dueprocess.Request, why string, by dueprocess.Actor) error {
	reason := "suspected forgery: " + why
	if r.Status.Open() {
		if err := tx.setStatus(ctx, r.ID, dueprocess.StatusRefused, by, reason, true); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET forged_at = $1, flag = $2 WHERE id = $3`, tx.db.ts(tx.now), reason, r.ID); err != nil {
		return fmt.Errorf("refuse as forged: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO report_forged (period, jurisdiction, kind, requests) VALUES ($1, $2, $3, 1)
		ON CONFLICT (period, jurisdiction, kind) DO UPDATE SET requests = report_forged.requests + 1`,
		dueprocess.HalfYear(r.ReceivedAt), dueprocess.Country(r.Jurisdiction), string(r.Kind)); err != nil {
		return fmt.Errorf("count forged: %w", err)
	}
	if err := tx.Record(ctx, by, dueprocess.ActionRequestForged, "request:"+r.ID, map[string]any{
		"reason": reason, "official_id": r.OfficialID, "status": map[string]any{"from": r.Status, "to": dueprocess.StatusRefused}}); err != nil {
		return err
	}
	if err := tx.alert(ctx, &dueprocess.Alert{Kind: dueprocess.AlertForgery, RequestID: r.ID, AgencyID: r.AgencyID, OfficialID: r.OfficialID,
		Text: fmt.Sprintf("Request %s was refused as suspected forgery (%s); its official is suspended.", r.ID, why)}); err != nil {
		return err
	}
	err := tx.SuspendOfficial(ctx, r.OfficialID, "request "+r.ID+" refused as "+reason, by)
	if dueprocess.ErrorKind(err) == dueprocess.Conflict {
		return nil // already suspended
	}
	return err
}

// Callbacks lists the callbacks recorded for a request, oldest first.
func (db *DB) Callbacks(ctx context.Context, requestID string) ([]dueprocess.Callback, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, request_id, staff_id, dialled, called_at, reached, outcome, note, recorded_at
		FROM callbacks WHERE request_id = $1 ORDER BY recorded_at, id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.Callback{}
	for rows.Next() {
		var c dueprocess.Callback
		var outcome string
		if err := rows.Scan(&c.ID, &c.RequestID, &c.StaffID, &c.Dialled, timeCol{&c.CalledAt}, &c.Reached, &outcome, &c.Note, timeCol{&c.RecordedAt}); err != nil {
			return nil, mapError(err)
		}
		c.Outcome = dueprocess.CallbackOutcome(outcome)
		list = append(list, c)
	}
	return list, mapError(rows.Err())
}

// CheckReleasable returns a Conflict saying why nothing of a request may
// be released, or nil when its sender is verified enough to release it.
// Release, and trusting a preservation hold, must call it in their
// transaction. It refuses a request refused as suspected forgery; one
// whose agency or official is suspended; an emergency without a confirmed
// callback to the registry's number; and one with a signal that needs a
// callback (dueprocess.NeedsCallback) without one. Whether the request is
// approved is for release to check.
func (tx *Tx) CheckReleasable(ctx context.Context, requestID string) error {
	return checkReleasable(ctx, tx.tx, requestID)
}

// CheckReleasable is Tx.CheckReleasable outside a transaction, for pages
// that show whether a request could be released.
func (db *DB) CheckReleasable(ctx context.Context, requestID string) error {
	return checkReleasable(ctx, db.sql, requestID)
}

func checkReleasable(ctx context.Context, q querier, id string) error {
	var kind, signals, flag, oName, oReason, aName, aReason string
	var forged bool
	var oSuspended, aSuspended bool
	var confirmed int64
	err := q.QueryRowContext(ctx, `SELECT r.kind, r.signals, r.flag, r.forged_at IS NOT NULL,
			o.name, o.suspended_at IS NOT NULL, o.suspended_reason, a.name, a.suspended_at IS NOT NULL, a.suspended_reason,
			(SELECT COUNT(*) FROM callbacks c WHERE c.request_id = r.id AND c.outcome = $2)
		FROM requests r JOIN officials o ON o.id = r.official_id JOIN agencies a ON a.id = r.agency_id
		WHERE r.id = $1`, id, string(dueprocess.CallbackConfirmed)).
		Scan(&kind, &signals, &flag, &forged, &oName, &oSuspended, &oReason, &aName, &aSuspended, &aReason, &confirmed)
	if err != nil {
		return notFound(err, "request "+id)
	}
	r := &dueprocess.Request{ID: id, Kind: dueprocess.RequestKind(kind)}
	if signals != "" {
		if err := jsonUnmarshal(signals, &r.Signals); err != nil {
			return fmt.Errorf("request %s: stored signals: %w", id, err)
		}
	}
	switch {
	case forged:
		return dueprocess.Errorf(dueprocess.Conflict, "request %s cannot be released: it was refused as %s", id, flag)
	case aSuspended:
		return dueprocess.Errorf(dueprocess.Conflict, "request %s cannot be released: its agency %s is suspended (%s)", id, aName, aReason)
	case oSuspended:
		return dueprocess.Errorf(dueprocess.Conflict, "request %s cannot be released: its official %s is suspended (%s)", id, oName, oReason)
	case confirmed > 0:
		return nil
	}
	for _, s := range r.Signals {
		if dueprocess.NeedsCallback(s.Code) {
			return dueprocess.Errorf(dueprocess.Conflict, "request %s cannot be released until a callback to the agency's number in our registry confirms it: %s", id, s.Text)
		}
	}
	if r.Kind == dueprocess.KindEmergency {
		return dueprocess.Errorf(dueprocess.Conflict, "emergency request %s cannot be released until a callback to the agency's number in our registry confirms it", id)
	}
	return nil
}
