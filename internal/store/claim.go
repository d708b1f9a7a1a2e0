package store

import (
	"context"
	"fmt"
	"time"
)

// Claim describes background work kept as rows of a table: which rows are
// due, in what order, and for how long a claim holds. See ClaimDue and
// docs/patterns.md ("Background work").
type Claim struct {
	// Table has a TEXT primary key id and a claimed_until column.
	Table string
	// Due is a condition on the table's rows, with $1 the transaction's
	// time, such as "status = 'queued' AND next_attempt_at <= $1".
	Due string
	// Order lists the rows soonest first, such as "next_attempt_at, id".
	Order string
	Limit int
	// Lease is how long the claimed rows are held; work not finished by
	// then is claimed again, by any server.
	Lease time.Duration
}

// ClaimDue leases up to c.Limit due rows of c.Table that no one holds,
// setting their claimed_until to now + c.Lease, and returns their ids.
// On PostgreSQL the rows are chosen FOR UPDATE SKIP LOCKED, so servers
// claiming at the same moment take different rows without waiting for
// each other; on SQLite the transaction holds the database's one write
// lock, which does the same. The claim commits with the transaction, so
// work done after it is done by one claimant until the lease ends.
func (tx *Tx) ClaimDue(ctx context.Context, c Claim) ([]string, error) {
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := fmt.Sprintf(`UPDATE %[1]s SET claimed_until = $2 WHERE id IN (
		SELECT id FROM %[1]s WHERE (%[2]s) AND (claimed_until IS NULL OR claimed_until <= $1)
		ORDER BY %[3]s LIMIT $3%[4]s) RETURNING id`, c.Table, c.Due, c.Order, lock)
	ids, err := tx.ids(ctx, q, tx.db.ts(tx.now), tx.db.ts(tx.now.Add(c.Lease)), c.Limit)
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", c.Table, err)
	}
	return ids, nil
}
