package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// The 48 hours of validation of an emergency e-Evidence order issued by an
// authority that is not a judge, court, investigating judge or prosecutor
// (Article 4(5) of the Regulation, docs/regimes.md): intake starts the
// clock, staff record the validation, and the background work reminds the
// assigned staff once and refuses the order when the time runs out.

// awaitValidation starts r's 48 hours if it needs validation.
func (tx *Tx) awaitValidation(ctx context.Context, r *dueprocess.Request) error {
	if !r.AwaitsValidation() || !r.Status.Open() { // an imported answered one is history
		return nil
	}
	if _, err := tx.exec(ctx, `INSERT INTO emergency_validations (request_id, due_at) VALUES ($1, $2)`,
		r.ID, tx.db.ts(r.ReceivedAt.Add(dueprocess.EmergencyValidation))); err != nil {
		return fmt.Errorf("start the validation clock of %s: %w", r.ID, err)
	}
	return nil
}

// RecordValidation records that v validated the emergency order
// requestID: it becomes the request's validated_by, and the order is no
// longer refused for want of it. An order that needs none, was validated
// already or was refused for want of it is a Conflict.
func (tx *Tx) RecordValidation(ctx context.Context, requestID string, v *dueprocess.Validation, staff *dueprocess.Staff) error {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return err
	}
	if !r.AwaitsValidation() {
		return dueprocess.Errorf(dueprocess.Conflict, "%s awaits no validation: only an emergency e-Evidence order issued by an authority that is not a judge, court, investigating judge or prosecutor, and not yet validated, takes one", r.ID)
	}
	var lapsed *time.Time
	if err := tx.queryRow(ctx, `SELECT lapsed_at FROM emergency_validations WHERE request_id = $1`, r.ID).Scan(nullTimeCol{&lapsed}); err != nil {
		return notFound(err, "validation clock of "+r.ID)
	}
	if lapsed != nil {
		return dueprocess.Errorf(dueprocess.Conflict, "%s was refused on %s UTC: its 48 hours of validation had passed; the issuing authority may send the order again, validated",
			r.ID, lapsed.UTC().Format("2 January 2006 15:04"))
	}
	r.LegalProcess.RegimeFields.ValidatedBy = v
	regime, err := regimeColumn(r)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET regime = $1, updated_at = $2 WHERE id = $3`, regime, tx.db.ts(tx.now), r.ID); err != nil {
		return fmt.Errorf("validate %s: %w", r.ID, err)
	}
	if _, err := tx.exec(ctx, `UPDATE emergency_validations SET validated_at = $1 WHERE request_id = $2`, tx.db.ts(tx.now), r.ID); err != nil {
		return fmt.Errorf("validate %s: %w", r.ID, err)
	}
	by := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: by, Type: "epoc.validated",
		Detail: fmt.Sprintf("validated by %s (%s, %s)", v.Name, v.Type, v.Reference)}); err != nil {
		return err
	}
	return tx.Record(ctx, by, dueprocess.ActionValidationRecorded, "request:"+r.ID,
		map[string]any{"name": v.Name, "type": v.Type, "reference": v.Reference})
}

// RecordValidation records a checked validation (see Tx.RecordValidation)
// and returns the request as it now stands.
func (db *DB) RecordValidation(ctx context.Context, requestID string, v *dueprocess.Validation, staff *dueprocess.Staff) error {
	return db.Transact(ctx, func(tx *Tx) error {
		return tx.RecordValidation(ctx, requestID, v, staff)
	})
}

// validationsDue returns up to limit requests whose validation is still
// awaited and whose clock ends by until, and, with remind, that were not
// reminded yet. On PostgreSQL they are chosen FOR UPDATE SKIP LOCKED, so
// that servers running this at once take different ones.
func (tx *Tx) validationsDue(ctx context.Context, until time.Time, remind bool, limit int) ([]string, error) {
	lock, cond := "", ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	if remind {
		cond = " AND reminded_at IS NULL"
	}
	ids, err := tx.ids(ctx, `SELECT request_id FROM emergency_validations
		WHERE validated_at IS NULL AND lapsed_at IS NULL AND due_at <= $1`+cond+`
		ORDER BY due_at, request_id LIMIT $2`+lock, tx.db.ts(until), limit)
	if err != nil {
		return nil, fmt.Errorf("validations due: %w", err)
	}
	return ids, nil
}

// CheckValidations does the background work of the 48 hours, for up to
// limit requests each: it reminds the staff assigned to each order whose
// time ends within before, once, and refuses each order whose time has
// run out (see lapse). Each server may run it; each order is reminded and
// refused once. It returns the requests reminded and refused.
func (db *DB) CheckValidations(ctx context.Context, before time.Duration, limit int) (reminded, refused []string, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		reminded, refused = nil, nil
		ids, err := tx.validationsDue(ctx, tx.now, false, limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.lapse(ctx, id); err != nil {
				return err
			}
			refused = append(refused, id)
		}
		if ids, err = tx.validationsDue(ctx, tx.now.Add(before), true, limit); err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.remindValidation(ctx, id); err != nil {
				return err
			}
			reminded = append(reminded, id)
		}
		return nil
	})
	return reminded, refused, err
}

// remindValidation mails the staff assigned to request id that its
// validation is due, and marks it reminded.
func (tx *Tx) remindValidation(ctx context.Context, id string) error {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return err
	}
	due := r.ReceivedAt.Add(dueprocess.EmergencyValidation)
	sent, err := tx.mailAssigned(ctx, id, func(s *dueprocess.Staff) *dueprocess.Mail { return dueprocess.ValidationReminder(r, s, due) })
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE emergency_validations SET reminded_at = $1 WHERE request_id = $2`, tx.db.ts(tx.now), id); err != nil {
		return fmt.Errorf("mark %s reminded: %w", id, err)
	}
	return tx.Record(ctx, dueprocess.System, dueprocess.ActionValidationReminded, "request:"+id,
		map[string]any{"due_at": due, "staff": sent})
}

// lapse refuses request id, whose 48 hours of validation have passed: an
// open request moves to refused; one whose data already went (an
// emergency disclosure) keeps its status, and the mail to the assigned
// staff says that the data went; one withdrawn or refused meanwhile is
// left as it is. Each way the clock is marked lapsed.
func (tx *Tx) lapse(ctx context.Context, id string) error {
	r, err := tx.lockRequest(ctx, id)
	if err != nil {
		return err
	}
	reason := "not validated within 48 hours of receipt (Regulation (EU) 2023/1543, Article 4(5))"
	if r.Status.Open() {
		if err := tx.setStatus(ctx, r.ID, dueprocess.StatusRefused, dueprocess.System, "refused: "+reason, true); err != nil {
			return err
		}
	}
	// Staff hear of it if it was refused now or its data went; an order
	// withdrawn or refused meanwhile needs nothing more.
	went, sent := r.Status == dueprocess.StatusDisclosed, []string{}
	if r.Status.Open() || went {
		if sent, err = tx.mailAssigned(ctx, id, func(s *dueprocess.Staff) *dueprocess.Mail { return dueprocess.ValidationLapsed(r, s, went) }); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE emergency_validations SET lapsed_at = $1 WHERE request_id = $2`, tx.db.ts(tx.now), id); err != nil {
		return fmt.Errorf("mark %s lapsed: %w", id, err)
	}
	return tx.Record(ctx, dueprocess.System, dueprocess.ActionValidationLapsed, "request:"+id,
		map[string]any{"reason": reason, "from": r.Status, "disclosed": went, "staff": sent})
}
