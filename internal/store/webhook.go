package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// actionsWebhookCounter names the row of counters that holds the seq of
// the last item action the platform's webhook acknowledged.
const actionsWebhookCounter = "webhook:actions"

// WebhookCursor returns the seq of the last item action the platform's
// webhook acknowledged (0 before the first).
func (db *DB) WebhookCursor(ctx context.Context) (int64, error) {
	var seq int64
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = $1`, actionsWebhookCounter).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, mapError(err)
}

// AdvanceWebhookCursor records that the webhook acknowledged the actions
// after seq from up to seq to, and audits the delivery. It moves the
// cursor only from where the caller read it: if another server delivered
// the same batch meanwhile, it reports false and changes nothing, so the
// cursor never goes back and no acknowledged action is skipped.
func (db *DB) AdvanceWebhookCursor(ctx context.Context, from, to int64, actions int) (moved bool, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		moved = false
		res, err := tx.exec(ctx, `UPDATE counters SET value = $1 WHERE name = $2 AND value = $3`, to, actionsWebhookCounter, from)
		if err != nil {
			return fmt.Errorf("advance the webhook's cursor: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 && from == 0 {
			// The first delivery makes the row; a second server's first
			// delivery finds it made and changes nothing.
			res, err = tx.exec(ctx, `INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, actionsWebhookCounter, to)
			if err != nil {
				return fmt.Errorf("start the webhook's cursor: %w", err)
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		if n == 0 {
			return nil
		}
		moved = true
		return tx.Record(ctx, dueprocess.System, dueprocess.ActionActionsDelivered, "webhook:actions",
			map[string]any{"after": from, "through": to, "actions": actions})
	})
	return moved, err
}
