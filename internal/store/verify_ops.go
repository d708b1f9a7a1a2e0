package store

import (
	"context"

	"github.com/dueprocess/dueprocess"
)

// The write paths of verification, each one store operation in one
// transaction (see operations.go).

// RecordCallback records a checked callback (see Tx.RecordCallback). Each
// run of the transaction starts from c as given.
func (db *DB) RecordCallback(ctx context.Context, requestID string, c *dueprocess.Callback, by dueprocess.Actor) error {
	var stored dueprocess.Callback
	err := db.Transact(ctx, func(tx *Tx) error {
		stored = *c
		return tx.RecordCallback(ctx, requestID, &stored, by)
	})
	if err == nil {
		*c = stored
	}
	return err
}

// SuspendOfficial suspends an official (see Tx.SuspendOfficial).
func (db *DB) SuspendOfficial(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SuspendOfficial(ctx, id, reason, by) })
}

// SuspendAgency suspends an agency (see Tx.SuspendAgency).
func (db *DB) SuspendAgency(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SuspendAgency(ctx, id, reason, by) })
}

// ReinstateOfficial lifts an official's suspension (see Tx.ReinstateOfficial).
func (db *DB) ReinstateOfficial(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.ReinstateOfficial(ctx, id, reason, by) })
}

// ReinstateAgency lifts an agency's suspension (see Tx.ReinstateAgency).
func (db *DB) ReinstateAgency(ctx context.Context, id, reason string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.ReinstateAgency(ctx, id, reason, by) })
}

// SetAgencyContact sets an agency's callback number and supervisor (see
// Tx.SetAgencyContact).
func (db *DB) SetAgencyContact(ctx context.Context, id, phone, supervisor string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SetAgencyContact(ctx, id, phone, supervisor, by) })
}

// DismissAlert takes an alert off the banner (see Tx.DismissAlert).
func (db *DB) DismissAlert(ctx context.Context, id string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.DismissAlert(ctx, id, by) })
}

// SetAgencyKey registers an agency's request-signing key (see
// Tx.SetAgencyKey).
func (db *DB) SetAgencyKey(ctx context.Context, id, vkey string, by dueprocess.Actor) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.SetAgencyKey(ctx, id, vkey, by) })
}
