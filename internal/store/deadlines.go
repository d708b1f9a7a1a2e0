package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dueprocess/dueprocess"
)

// RemindDue queues the deadline reminder of up to limit requests due
// within before of now (or already overdue) that have staff assigned and
// were not reminded yet: one message to each assigned staff member who is
// not disabled, through the outbox, and the request marked reminded, in
// one transaction, so that each request is reminded exactly once however
// many servers run this. It returns the requests reminded.
//
// On PostgreSQL the requests are chosen FOR UPDATE SKIP LOCKED, so that
// servers running this at once take different requests; on SQLite the
// transaction holds the one write lock.
func (db *DB) RemindDue(ctx context.Context, before time.Duration, limit int) (reminded []string, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		reminded = nil
		ids, err := tx.dueForReminder(ctx, before, limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.remind(ctx, id); err != nil {
				return err
			}
			reminded = append(reminded, id)
		}
		return nil
	})
	return reminded, err
}

func (tx *Tx) dueForReminder(ctx context.Context, before time.Duration, limit int) ([]string, error) {
	args := []any{tx.db.ts(tx.now.Add(before)), limit}
	lock := ""
	if tx.db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	ids, err := tx.ids(ctx, `SELECT id FROM requests r WHERE reminded_at IS NULL AND due_at <= $1
		AND status IN (`+tx.db.statusList(&args, overdueStatuses())+`)
		AND EXISTS (SELECT 1 FROM assignments a WHERE a.request_id = r.id)
		ORDER BY due_at, id LIMIT $2`+lock, args...)
	if err != nil {
		return nil, fmt.Errorf("requests to remind: %w", err)
	}
	return ids, nil
}

// remind queues request id's reminder to its assigned staff and marks it.
func (tx *Tx) remind(ctx context.Context, id string) error {
	r, err := scanRequest(tx.tx.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE id = $1`, id))
	if err != nil {
		return notFound(err, "request "+id)
	}
	sent, err := tx.mailAssigned(ctx, id, func(s *dueprocess.Staff) *dueprocess.Mail { return dueprocess.DeadlineReminder(r, s, tx.now) })
	if err != nil {
		return err
	}
	if err := tx.tx.write(ctx, `UPDATE requests SET reminded_at = $2 WHERE id = $1`, id, tx.db.ts(tx.now)); err != nil {
		return fmt.Errorf("mark %s reminded: %w", id, err)
	}
	return tx.Record(ctx, dueprocess.System, dueprocess.ActionDeadlineReminded, "request:"+id,
		map[string]any{"due_at": r.DueAt, "staff": sent})
}

// mailAssigned queues the message write makes for each staff member
// assigned to request id who is not disabled, through the outbox, and
// returns their ids.
func (tx *Tx) mailAssigned(ctx context.Context, id string, write func(*dueprocess.Staff) *dueprocess.Mail) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.id, s.email, s.name FROM assignments a JOIN staff s ON s.id = a.staff_id
		WHERE a.request_id = $1 AND s.disabled_at IS NULL ORDER BY s.id`, id)
	if err != nil {
		return nil, mapError(err)
	}
	var staff []dueprocess.Staff
	for rows.Next() {
		var s dueprocess.Staff
		if err := rows.Scan(&s.ID, &s.Email, &s.Name); err != nil {
			rows.Close()
			return nil, mapError(err)
		}
		staff = append(staff, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	sent := []string{}
	for i := range staff {
		if _, err := tx.QueueMail(ctx, write(&staff[i])); err != nil {
			return nil, err
		}
		sent = append(sent, staff[i].ID)
	}
	return sent, nil
}
