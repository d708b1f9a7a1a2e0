package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// Passkey is an official's WebAuthn credential as the store keeps it: its
// credential id and the library's record of it, as JSON, which the store
// does not read.
type Passkey struct {
	ID         []byte
	OfficialID string
	Credential string
}

// AddPasskey stores a new passkey of an official, registered in a
// ceremony the server checked.
func (tx *Tx) AddPasskey(ctx context.Context, p *Passkey) error {
	if _, err := tx.exec(ctx, `INSERT INTO passkeys (id, official_id, credential, created_at) VALUES ($1, $2, $3, $4)`,
		p.ID, p.OfficialID, p.Credential, tx.db.ts(tx.now)); err != nil {
		if dueprocess.ErrorKind(err) == dueprocess.Conflict {
			return dueprocess.Errorf(dueprocess.Conflict, "this passkey is registered already")
		}
		return fmt.Errorf("add passkey: %w", err)
	}
	who := dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: p.OfficialID}
	return tx.Record(ctx, who, dueprocess.ActionPasskeyAdded, object(who), nil)
}

// UsePasskey stores a passkey's record after a sign-in with it (its
// signature counter moves), and fails with Conflict if the record changed
// meanwhile: of two sign-ins racing with one assertion, one wins.
func (tx *Tx) UsePasskey(ctx context.Context, p *Passkey, before string) error {
	res, err := tx.exec(ctx, `UPDATE passkeys SET credential = $1, used_at = $2 WHERE id = $3 AND official_id = $4 AND credential = $5`,
		p.Credential, tx.db.ts(tx.now), p.ID, p.OfficialID, before)
	if err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dueprocess.Errorf(dueprocess.Conflict, "this passkey was used at the same moment; try again")
	}
	return nil
}

// Passkeys returns an official's passkeys, oldest first.
func (db *DB) Passkeys(ctx context.Context, officialID string) ([]Passkey, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, credential FROM passkeys WHERE official_id = $1 ORDER BY created_at, id`, officialID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []Passkey
	for rows.Next() {
		p := Passkey{OfficialID: officialID}
		if err := rows.Scan(&p.ID, &p.Credential); err != nil {
			return nil, mapError(err)
		}
		list = append(list, p)
	}
	return list, mapError(rows.Err())
}

// SetPendingWebAuthn keeps the challenge of a passkey ceremony in a
// session, so that the server that finishes it may be another than the one
// that began it.
func (db *DB) SetPendingWebAuthn(ctx context.Context, sessionID, data string) error {
	_, err := db.sql.ExecContext(ctx, `UPDATE sessions SET webauthn_pending = $1 WHERE id = $2 AND ended_at IS NULL`, textOrNil(data), sessionID)
	return mapError(err)
}
