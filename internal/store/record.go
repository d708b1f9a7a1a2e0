package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
)

// Record appends an audit entry for action on object, by actor, at the
// transaction's time, to the log inside this transaction: the entry
// commits or rolls back with the change it records. body is marshalled to
// a JSON object; it holds ids and facts about the action, never user data
// such as target identifiers, because the log is kept for ever.
func (tx *Tx) Record(ctx context.Context, by dueprocess.Actor, action, object string, body any) error {
	return tx.record(ctx, tx.Audit(object), by, action, object, body)
}

// record appends the entry through log, which is tx.Audit(object) or, for
// many entries at once, a bulkAudit.
func (tx *Tx) record(ctx context.Context, log audit.Tx, by dueprocess.Actor, action, object string, body any) error {
	var raw json.RawMessage
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("audit %s of %s: %w", action, object, err)
		}
		if string(b) != "null" { // a nil map: no body
			raw = b
		}
	}
	_, err := audit.Append(ctx, log, audit.Entry{
		Time: tx.now, Actor: by, Action: action, Object: object, Body: raw,
	})
	return err
}

// Record appends an audit entry that goes with no other change: a read.
// Every read of a request's details by staff is an audit entry, so that
// looking up a user without a reason leaves a trace.
func (db *DB) Record(ctx context.Context, by dueprocess.Actor, action, object string, body any) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.Record(ctx, by, action, object, body) })
}
