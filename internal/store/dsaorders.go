package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Orders under DSA Art. 9 (docs/content.md): the order's elements beside
// its content demand, and the counts of the Art. 15(1)(a) report.

// insertDSAOrder stores an Art. 9 order's elements. An order that gives
// no transmission time was sent when it was received; one sent after it
// was received is refused.
func (tx *Tx) insertDSAOrder(ctx context.Context, r *dueprocess.Request) error {
	o := r.DSAOrder
	if o == nil {
		return nil
	}
	at := o.TransmittedAt
	if at.IsZero() {
		at = r.ReceivedAt
	}
	if at.After(r.ReceivedAt) {
		return dueprocess.FieldError("dsa_order.transmitted_at", "%s is after the order was received (%s)",
			at.Format(time.RFC3339), r.ReceivedAt.UTC().Format(time.RFC3339))
	}
	if _, err := tx.exec(ctx, `INSERT INTO dsa_orders (request_id, legal_basis, statement_of_reasons, territorial_scope, redress, inform, transmitted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, o.LegalBasis, o.StatementOfReasons, strings.Join(o.TerritorialScope, ","),
		o.Redress, o.Inform, tx.db.ts(at)); err != nil {
		return fmt.Errorf("DSA order %s: %w", r.ID, err)
	}
	o.TransmittedAt = at.UTC()
	return nil
}

// dsaOrder fills in the elements of an Art. 9 order.
func (db *DB) dsaOrder(ctx context.Context, q querier, r *dueprocess.Request) error {
	if r.LegalProcess.Type != dueprocess.ProcessDSARemovalOrder {
		return nil
	}
	var o dueprocess.DSAOrder
	var scope string
	err := q.QueryRowContext(ctx, `SELECT legal_basis, statement_of_reasons, territorial_scope, redress, inform, transmitted_at
		FROM dsa_orders WHERE request_id = $1`, r.ID).Scan(&o.LegalBasis, &o.StatementOfReasons, &scope, &o.Redress, &o.Inform, timeCol{&o.TransmittedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return mapError(err)
	}
	o.TerritorialScope = strings.Split(scope, ",")
	r.DSAOrder = &o
	return nil
}

// DSAOrderCounts returns the Art. 9 orders received in [from, to): each
// with its member state, reason, when it was sent and received, and when
// effect was given to it (the last of its items' actions to take effect),
// nil while an item has no action in effect.
func (db *DB) DSAOrderCounts(ctx context.Context, from, to time.Time) ([]dueprocess.DSAOrderCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT r.id, r.jurisdiction, c.reason, o.transmitted_at, r.received_at,
		(SELECT MAX(a.at) FROM item_actions a WHERE a.request_id = r.id),
		(SELECT COUNT(*) FROM request_items i WHERE i.request_id = r.id AND i.action = '')
		FROM requests r JOIN dsa_orders o ON o.request_id = r.id JOIN content_requests c ON c.request_id = r.id
		WHERE r.received_at >= $1 AND r.received_at < $2 ORDER BY r.id`, db.ts(from), db.ts(to))
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []dueprocess.DSAOrderCount
	for rows.Next() {
		var c dueprocess.DSAOrderCount
		var j, reason string
		var open int64
		if err := rows.Scan(&c.RequestID, &j, &reason, timeCol{&c.TransmittedAt}, timeCol{&c.ReceivedAt}, nullTimeCol{&c.EffectAt}, &open); err != nil {
			return nil, mapError(err)
		}
		c.MemberState, c.Reason = dueprocess.Country(j), dueprocess.RemovalReason(reason)
		if open > 0 {
			c.EffectAt = nil
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}
