package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// RecordObjection records that the enforcing authority notified of the
// European Production Order requestID raised a ground for refusal, or
// objected after an emergency disclosure (Article 10 of the e-Evidence
// Regulation). It fills in o's request, number, time, author and whether
// the data had already gone. Only an EPOC whose enforcing authority was
// notified takes one. From then on Release refuses the request's data.
func (tx *Tx) RecordObjection(ctx context.Context, requestID string, o *dueprocess.Objection, staff *dueprocess.Staff) error {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if r.LegalProcess.Type != dueprocess.ProcessEPOC {
		return dueprocess.Errorf(dueprocess.Conflict, "%s rests on %s; an enforcing authority's objection is only for a European Production Order (epoc)", r.ID, r.LegalProcess.Type)
	}
	ea := r.LegalProcess.RegimeFields.EnforcingAuthority
	if ea == nil || !ea.Notified {
		return dueprocess.Errorf(dueprocess.Conflict, "%s: no enforcing authority was notified of this order (enforcing_authority.notified is not true), so none can object to it", r.ID)
	}
	o.RequestID, o.At, o.By = r.ID, tx.now, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	o.AfterDisclosure = r.Status == dueprocess.StatusDisclosed
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM enforcing_objections WHERE request_id = $1`, r.ID).Scan(&o.Seq); err != nil {
		return fmt.Errorf("number the objection to %s: %w", r.ID, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO enforcing_objections (request_id, seq, grounds, received_at, at, staff_id, after_disclosure)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, o.Seq, o.Grounds, tx.db.ts(o.ReceivedAt), tx.db.ts(o.At), staff.ID, boolInt(o.AfterDisclosure)); err != nil {
		return fmt.Errorf("record the objection to %s: %w", r.ID, err)
	}
	detail := fmt.Sprintf("%s (%s) objected; the data may not be released", ea.Name, ea.State)
	if o.AfterDisclosure {
		detail = fmt.Sprintf("%s (%s) objected after the emergency disclosure: the data went before the objection", ea.Name, ea.State)
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: o.By, Type: "enforcing.objection", Detail: detail}); err != nil {
		return err
	}
	// The entry does not quote the grounds, which may quote the order.
	return tx.Record(ctx, o.By, dueprocess.ActionEnforcingObjection, "request:"+r.ID, map[string]any{
		"seq": o.Seq, "received_at": o.ReceivedAt, "after_disclosure": o.AfterDisclosure})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkNoObjection refuses to release r's data once its enforcing
// authority objected.
func (tx *Tx) checkNoObjection(ctx context.Context, r *dueprocess.Request) error {
	if r.LegalProcess.Type != dueprocess.ProcessEPOC {
		return nil
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM enforcing_objections WHERE request_id = $1`, r.ID).Scan(&n)
	if err != nil {
		return fmt.Errorf("objections to %s: %w", r.ID, err)
	}
	if n > 0 {
		ea := r.LegalProcess.RegimeFields.EnforcingAuthority
		return dueprocess.Errorf(dueprocess.Conflict,
			"%s: the enforcing authority %s (%s) objected to this order (Article 10 of the e-Evidence Regulation); its data may not be released",
			r.ID, ea.Name, ea.State)
	}
	return nil
}

// RecordObjection records a checked objection to request requestID by
// staff (see Tx.RecordObjection) and returns it as stored.
func (db *DB) RecordObjection(ctx context.Context, requestID string, o *dueprocess.Objection, staff *dueprocess.Staff) (*dueprocess.Objection, error) {
	var stored dueprocess.Objection
	err := db.Transact(ctx, func(tx *Tx) error {
		stored = *o
		return tx.RecordObjection(ctx, requestID, &stored, staff)
	})
	if err != nil {
		return nil, err
	}
	return &stored, nil
}

// Objections returns the objections recorded against a request, oldest
// first; none is an empty list.
func (db *DB) Objections(ctx context.Context, requestID string) ([]dueprocess.Objection, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT seq, grounds, received_at, at, staff_id, after_disclosure
		FROM enforcing_objections WHERE request_id = $1 ORDER BY seq`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := []dueprocess.Objection{}
	for rows.Next() {
		o := dueprocess.Objection{RequestID: requestID, By: dueprocess.Actor{Type: dueprocess.ActorStaff}}
		var after int
		if err := rows.Scan(&o.Seq, &o.Grounds, timeCol{&o.ReceivedAt}, timeCol{&o.At}, &o.By.ID, &after); err != nil {
			return nil, mapError(err)
		}
		o.AfterDisclosure = after != 0
		out = append(out, o)
	}
	return out, mapError(rows.Err())
}
