package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps the workflow's moves that are neither a review nor a
// pause: closing a finished request, a reviewer escalating a request to
// the human-rights officer, an approver sending a proposal back, and the
// requesting agency's answer to a request to narrow. Each checks the move
// against the workflow table inside the transaction, on the locked row.

// move locks request id, checks that it may move to status to, and moves
// it, with detail as the reason recorded in its history and the log.
func (tx *Tx) move(ctx context.Context, id string, to dueprocess.Status, by dueprocess.Actor, detail string) error {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return err
	}
	if err := dueprocess.CheckMove(r.Status, to); err != nil {
		return err
	}
	return tx.SetStatus(ctx, r.ID, to, by, detail)
}

// CloseRequest ends a request that is finished (refused, rejected, no data held,
// disclosed) or whose request to narrow was never answered, with a note.
func (tx *Tx) CloseRequest(ctx context.Context, id, note string, by dueprocess.Actor) error {
	return tx.move(ctx, id, dueprocess.StatusClosed, by, "closed: "+note)
}

// Escalate sends a request in review to the human-rights officer: a
// reviewer who sees a risk the policy did not.
func (tx *Tx) Escalate(ctx context.Context, id, note string, by dueprocess.Actor) error {
	return tx.move(ctx, id, dueprocess.StatusEscalated, by, "escalated by a reviewer: "+note)
}

// SendBack returns a request awaiting approval to review: the approver
// will not confirm the proposal as it stands.
func (tx *Tx) SendBack(ctx context.Context, id, note string, by dueprocess.Actor) error {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return err
	}
	if r.Status != dueprocess.StatusAwaitingApproval {
		return dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only a request awaiting approval can be sent back to review", r.ID, r.Status)
	}
	return tx.SetStatus(ctx, r.ID, dueprocess.StatusInReview, by, "sent back to review: "+note)
}

// Asked is what a request asks for, as kept in request_narrowings.
type Asked struct {
	Targets        []dueprocess.Target       `json:"targets"`
	DataCategories []dueprocess.DataCategory `json:"data_categories"`
	DateRange      *dueprocess.DateRange     `json:"date_range,omitempty"`
}

// Reply records the requesting agency's answer to a request to narrow,
// checked by n.Check, and returns the request to review. A narrowed
// request replaces what it asks for (the original is kept in
// request_narrowings, and its shape in the audit entry) and is evaluated
// again by decide, so that the reviewer sees the policy's view of what is
// now asked; the request goes to review whatever that view is.
func (tx *Tx) Reply(ctx context.Context, id string, in *dueprocess.NewReply, by dueprocess.Actor, decide Decider) (*dueprocess.Narrowing, error) {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != dueprocess.StatusNarrowingRequested {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only a request whose narrowing was asked for can be answered", r.ID, r.Status)
	}
	n, err := in.Check(r)
	if err != nil {
		return nil, err
	}
	n.ID = newID("nw")
	before := Asked{r.Targets, r.DataCategories, r.DateRange}
	after := Asked{n.Targets, n.DataCategories, n.DateRange}
	orig, _ := json.Marshal(before)
	now, _ := json.Marshal(after)
	if _, err := tx.exec(ctx, `INSERT INTO request_narrowings (id, request_id, actor_type, actor_id, note, original, narrowed, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, n.ID, r.ID, string(by.Type), by.ID, n.Note, string(orig), string(now), tx.db.ts(tx.now)); err != nil {
		return nil, fmt.Errorf("record narrowing of %s: %w", r.ID, err)
	}
	if len(n.Changed) > 0 {
		if err := tx.narrow(ctx, r, n); err != nil {
			return nil, err
		}
	}
	if err := tx.Record(ctx, by, dueprocess.ActionRequestNarrowed, "request:"+r.ID, map[string]any{
		"narrowing_id": n.ID, "changed": n.Changed,
		"before": map[string]any{"targets": len(before.Targets), "data_categories": before.DataCategories, "date_range": before.DateRange},
		"after":  map[string]any{"targets": len(after.Targets), "data_categories": after.DataCategories, "date_range": after.DateRange}}); err != nil {
		return nil, err
	}
	if len(n.Changed) > 0 {
		pauses, err := tx.PausesInForce(ctx)
		if err != nil {
			return nil, err
		}
		if err := tx.storeDecision(ctx, r, decide(r, pauses), dueprocess.System); err != nil {
			return nil, err
		}
	}
	return n, tx.SetStatus(ctx, r.ID, dueprocess.StatusInReview, by, "narrowing answered: "+n.Note)
}

// narrow writes what r now asks for, and moves its kept counts from the
// number of accounts it named to the number it names now.
func (tx *Tx) narrow(ctx context.Context, r *dueprocess.Request, n *dueprocess.Narrowing) error {
	var from, to any
	if n.DateRange != nil {
		from, to = dateOrNil(n.DateRange.From), dateOrNil(n.DateRange.To)
	}
	// Dropping the targets who live abroad makes the request a local one.
	after := *r
	after.Targets = n.Targets
	_, extraterritorial := after.Extraterritorial()
	if _, err := tx.exec(ctx, `UPDATE requests SET data_categories = $1, date_from = $2, date_to = $3, updated_at = $4, extraterritorial = $6 WHERE id = $5`,
		joinList(n.DataCategories), from, to, tx.db.ts(tx.now), r.ID, extraterritorial); err != nil {
		return fmt.Errorf("narrow %s: %w", r.ID, err)
	}
	if len(n.Targets) != len(r.Targets) {
		if _, err := tx.exec(ctx, `DELETE FROM request_targets WHERE request_id = $1`, r.ID); err != nil {
			return fmt.Errorf("narrow %s: %w", r.ID, err)
		}
		if err := tx.insertTargets(ctx, r.ID, n.Targets); err != nil {
			return err
		}
		if err := tx.count(ctx, r.ReceivedAt, r.Jurisdiction, r.Kind, r.LegalProcess.Type, r.Status, -1, int64(len(r.Targets))); err != nil {
			return err
		}
		if err := tx.count(ctx, r.ReceivedAt, r.Jurisdiction, r.Kind, r.LegalProcess.Type, r.Status, 1, int64(len(n.Targets))); err != nil {
			return err
		}
	}
	r.Targets, r.DataCategories, r.DateRange = n.Targets, n.DataCategories, n.DateRange
	return tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: dueprocess.System, Type: dueprocess.EventNarrowed,
		Detail: fmt.Sprintf("narrowed: %v", n.Changed)})
}

// NarrowingRecord is one answer to a request to narrow: who gave it, when,
// the note, and what the request asked for before and after it.
type NarrowingRecord struct {
	ID     string
	By     dueprocess.Actor
	Note   string
	Before Asked
	After  Asked
	At     time.Time
}

// Narrowings returns the answers to requests to narrow a request, oldest
// first, each with what the request asked for before it.
func (db *DB) Narrowings(ctx context.Context, requestID string) ([]NarrowingRecord, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, actor_type, actor_id, note, original, narrowed, created_at
		FROM request_narrowings WHERE request_id = $1 ORDER BY created_at, id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []NarrowingRecord{}
	for rows.Next() {
		var n NarrowingRecord
		var orig, now string
		if err := rows.Scan(&n.ID, &n.By.Type, &n.By.ID, &n.Note, &orig, &now, timeCol{&n.At}); err != nil {
			return nil, mapError(err)
		}
		if err := json.Unmarshal([]byte(orig), &n.Before); err != nil {
			return nil, fmt.Errorf("narrowing %s: %w", n.ID, err)
		}
		if err := json.Unmarshal([]byte(now), &n.After); err != nil {
			return nil, fmt.Errorf("narrowing %s: %w", n.ID, err)
		}
		list = append(list, n)
	}
	return list, mapError(rows.Err())
}
