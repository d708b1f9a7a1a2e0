package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// CannotComply records an Annex III answer to an e-Evidence order (EPOC
// or EPOC-PR): that it cannot be executed, on which grounds, or a request
// for clarification, with what was preserved meanwhile. It fills in c's
// request, number, time and author. The first answer that it cannot be
// executed answers the request (for the report's time to answer); its
// status is left alone, so the data stay preserved where they are.
func (tx *Tx) CannotComply(ctx context.Context, requestID string, c *dueprocess.CannotComply, staff *dueprocess.Staff) error {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if !r.LegalProcess.Type.EEvidence() {
		return dueprocess.Errorf(dueprocess.Conflict, "%s rests on %s; an Annex III answer is only for e-Evidence orders (epoc, epoc_pr)", r.ID, r.LegalProcess.Type)
	}
	if r.Status == dueprocess.StatusDisclosed || r.Status == dueprocess.StatusWithdrawn {
		return dueprocess.Errorf(dueprocess.Conflict, "%s is %s; an Annex III answer is for an order still to be executed", r.ID, r.Status)
	}
	c.RequestID, c.At, c.By = r.ID, tx.now, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM cannot_comply WHERE request_id = $1`, r.ID).Scan(&c.Seq); err != nil {
		return fmt.Errorf("number the answer to %s: %w", r.ID, err)
	}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO cannot_comply (request_id, seq, kind, at, staff_id, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.ID, c.Seq, string(c.Kind), tx.db.ts(c.At), staff.ID, string(body)); err != nil {
		return fmt.Errorf("record the answer to %s: %w", r.ID, err)
	}
	if c.Kind == dueprocess.AnswerCannotComply {
		if _, err := tx.exec(ctx, `UPDATE requests SET answered_at = COALESCE(answered_at, $1), updated_at = $1 WHERE id = $2`, tx.db.ts(tx.now), r.ID); err != nil {
			return fmt.Errorf("answer %s: %w", r.ID, err)
		}
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: c.By, Type: "annex_iii." + string(c.Kind),
		Detail: fmt.Sprintf("Annex III answer %d: %s", c.Seq, c.Kind)}); err != nil {
		return err
	}
	// The entry names the grounds, not the explanations, which may quote
	// the order.
	return tx.Record(ctx, c.By, dueprocess.ActionRequestCannotComply, "request:"+r.ID, map[string]any{
		"seq": c.Seq, "kind": c.Kind, "grounds": c.Grounds, "preserved": c.Preserved != nil})
}

// CannotComplyAnswers returns the Annex III answers to a request, oldest
// first; none is an empty list.
func (db *DB) CannotComplyAnswers(ctx context.Context, requestID string) ([]dueprocess.CannotComply, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT body FROM cannot_comply WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := []dueprocess.CannotComply{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, mapError(err)
		}
		var c dueprocess.CannotComply
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return nil, fmt.Errorf("answer to %s: %w", requestID, err)
		}
		c.At = c.At.UTC().Truncate(time.Microsecond)
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

// CannotComply records a checked Annex III answer to request requestID by
// staff (see Tx.CannotComply) and returns it as stored. Each run of the
// transaction starts from c as given.
func (db *DB) CannotComply(ctx context.Context, requestID string, c *dueprocess.CannotComply, staff *dueprocess.Staff) (*dueprocess.CannotComply, error) {
	var stored dueprocess.CannotComply
	err := db.Transact(ctx, func(tx *Tx) error {
		stored = *c
		return tx.CannotComply(ctx, requestID, &stored, staff)
	})
	if err != nil {
		return nil, err
	}
	return &stored, nil
}
