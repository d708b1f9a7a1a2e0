package store

import (
	"context"

	"github.com/dueprocess/dueprocess"
)

// The write paths of the API and the console, each one store operation in
// one transaction, so that a handler authenticates, decodes, checks, makes
// one call and writes the answer, and need not know that a transaction's
// function may run twice.

// Propose records a reviewer's proposal (see Tx.Propose).
func (db *DB) Propose(ctx context.Context, requestID string, staff *dueprocess.Staff, p *dueprocess.NewProposal) (rv *dueprocess.Review, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		rv, err = tx.Propose(ctx, requestID, staff, p)
		return err
	})
	return rv, err
}

// Approve confirms a proposal (see Tx.Approve).
func (db *DB) Approve(ctx context.Context, requestID string, staff *dueprocess.Staff, note string) (rv *dueprocess.Review, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		rv, err = tx.Approve(ctx, requestID, staff, note)
		return err
	})
	return rv, err
}

// AssessHumanRights records a human-rights assessment (see
// Tx.AssessHumanRights).
func (db *DB) AssessHumanRights(ctx context.Context, requestID string, staff *dueprocess.Staff, conclusion string, a dueprocess.Assessment, note string) (rv *dueprocess.Review, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		rv, err = tx.AssessHumanRights(ctx, requestID, staff, conclusion, a, note)
		return err
	})
	return rv, err
}

// Assign puts a staff member on a request's case (see Tx.Assign).
func (db *DB) Assign(ctx context.Context, requestID, staffID string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.Assign(ctx, requestID, staffID, by) })
}

// Withdraw withdraws a request for its agency (see Tx.Withdraw).
func (db *DB) Withdraw(ctx context.Context, requestID, reason string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.Withdraw(ctx, requestID, reason, by) })
}

// CloseRequest closes a finished request (see Tx.CloseRequest).
func (db *DB) CloseRequest(ctx context.Context, requestID, note string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.CloseRequest(ctx, requestID, note, by) })
}

// Escalate sends a request in review to the human-rights officer (see
// Tx.Escalate).
func (db *DB) Escalate(ctx context.Context, requestID, note string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.Escalate(ctx, requestID, note, by) })
}

// SendBack returns a proposal to review (see Tx.SendBack).
func (db *DB) SendBack(ctx context.Context, requestID, note string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SendBack(ctx, requestID, note, by) })
}

// Reply records the agency's answer to a request to narrow (see Tx.Reply).
func (db *DB) Reply(ctx context.Context, requestID string, in *dueprocess.NewReply, by dueprocess.Actor, decide Decider) (n *dueprocess.Narrowing, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		n, err = tx.Reply(ctx, requestID, in, by, decide)
		return err
	})
	return n, err
}

// Pause puts a checked pause in force (see Tx.Pause). Each run of the
// transaction starts from p as given; p is filled in only once committed.
func (db *DB) Pause(ctx context.Context, p *dueprocess.Pause) (moved []string, err error) {
	var stored dueprocess.Pause
	err = db.Transact(ctx, func(tx *Tx) error {
		stored = *p
		moved, err = tx.Pause(ctx, &stored)
		return err
	})
	if err == nil {
		*p = stored
	}
	return moved, err
}

// Resume ends the pause in force in a jurisdiction (see Tx.Resume).
func (db *DB) Resume(ctx context.Context, jurisdiction, reason string, by dueprocess.Actor, decide Decider) (ended *dueprocess.Pause, moved []string, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		ended, moved, err = tx.Resume(ctx, jurisdiction, reason, by, decide)
		return err
	})
	return ended, moved, err
}

// AddStaff adds a staff member with a password whose hash is given, as an
// administrator does in the console.
func (db *DB) AddStaff(ctx context.Context, m *dueprocess.Staff, passwordHash string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.CreateStaff(ctx, m, by); err != nil {
			return err
		}
		return tx.SetPassword(ctx, m.ID, passwordHash, by)
	})
}

// DisableStaff stops a staff member from signing in (see Tx.DisableStaff).
func (db *DB) DisableStaff(ctx context.Context, staffID string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.DisableStaff(ctx, staffID, by) })
}

// ReleaseUnheld releases the paused requests no pause holds any more (see
// Tx.ReleaseUnheld).
func (db *DB) ReleaseUnheld(ctx context.Context, decide Decider, by dueprocess.Actor) (moved []string, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		moved, err = tx.ReleaseUnheld(ctx, decide, by)
		return err
	})
	return moved, err
}

// DecideItems records an action on items of a content demand (see
// Tx.DecideItems).
func (db *DB) DecideItems(ctx context.Context, requestID string, staff *dueprocess.Staff, in *dueprocess.NewItemActions, rule ItemRule) (items []dueprocess.Item, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		items, err = tx.DecideItems(ctx, requestID, staff, in, rule)
		return err
	})
	return items, err
}

// ConfirmItems confirms proposed actions on items (see Tx.ConfirmItems).
func (db *DB) ConfirmItems(ctx context.Context, requestID string, staff *dueprocess.Staff, idx []int, note string) (items []dueprocess.Item, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		items, err = tx.ConfirmItems(ctx, requestID, staff, idx, note)
		return err
	})
	return items, err
}

// LiftNondisclosure sends the notices of a request that an order without
// an end date withholds (see Tx.LiftNondisclosure).
func (db *DB) LiftNondisclosure(ctx context.Context, requestID string, staff *dueprocess.Staff, reason string) (list []dueprocess.Notice, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		list, err = tx.LiftNondisclosure(ctx, requestID, staff, reason)
		return err
	})
	return list, err
}
