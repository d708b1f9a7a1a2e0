package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// The outbox: mail written in the transaction of the change that causes
// it, and sent afterwards by the loop in internal/mail, which claims due
// rows (ClaimMail), sends them and marks each sent (MailSent) or tried
// (MailDeferred). See docs/mail.md.

// QueueMail writes m to the outbox in this transaction, and returns its id,
// which is also its Message-ID's local part. m is checked first; an
// invalid m is an Invalid error naming the field. The audit entry names
// the message's kind and request, never its recipient or text.
func (tx *Tx) QueueMail(ctx context.Context, m *dueprocess.Mail) (id string, err error) {
	if err := m.Check(); err != nil {
		return "", err
	}
	id = newID("mail")
	notBefore := tx.now
	if m.NotBefore.After(notBefore) {
		notBefore = m.NotBefore.UTC()
	}
	err = tx.tx.write(ctx, `INSERT INTO outbox (id, kind, recipient, subject, body, request_id, created_at, not_before, status, attempts, next_attempt_at, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $8, '')`,
		id, m.Kind, m.To, m.Subject, m.Body, textOrNil(m.RequestID), tx.db.ts(tx.now), tx.db.ts(notBefore))
	if err != nil {
		return "", fmt.Errorf("queue mail: %w", err)
	}
	body := map[string]any{"kind": m.Kind}
	if m.RequestID != "" {
		body["request"] = m.RequestID
	}
	if !m.NotBefore.IsZero() {
		body["not_before"] = notBefore
	}
	return id, tx.Record(ctx, dueprocess.System, dueprocess.ActionMailQueued, "mail:"+id, body)
}

// ClaimMail leases up to limit queued messages that are due, for lease:
// until then no other loop, in this process or another server on the same
// database, claims them. It returns them soonest first.
func (db *DB) ClaimMail(ctx context.Context, limit int, lease time.Duration) (list []dueprocess.OutboxMessage, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		list = nil
		ids, err := tx.ClaimDue(ctx, Claim{Table: "outbox", Due: "status = 'queued' AND next_attempt_at <= $1",
			Order: "next_attempt_at, id", Limit: limit, Lease: lease})
		if err != nil || len(ids) == 0 {
			return err
		}
		list, err = tx.outboxMessages(ctx, ids)
		return err
	})
	return list, err
}

// MailSent marks a claimed message sent.
func (db *DB) MailSent(ctx context.Context, id string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		err := tx.tx.writeChecked(ctx, oneRow("mail "+id), `UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, claimed_until = NULL, last_error = ''
			WHERE id = $1 AND status = 'queued'`, id, tx.db.ts(tx.now))
		if err != nil {
			return err
		}
		return tx.Record(ctx, dueprocess.System, dueprocess.ActionMailSent, "mail:"+id, nil)
	})
}

// MailDeferred records a failed attempt to send a claimed message: it is
// tried again at retry, or, when retry is zero, given up (status failed).
// reason is the SMTP server's answer, kept for the console; it must not
// hold secrets.
func (db *DB) MailDeferred(ctx context.Context, id, reason string, retry time.Time) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return db.Transact(ctx, func(tx *Tx) error {
		status, action, next := dueprocess.MailQueued, dueprocess.ActionMailDeferred, retry
		if retry.IsZero() {
			status, action, next = dueprocess.MailFailed, dueprocess.ActionMailFailed, tx.now
		}
		err := tx.tx.writeChecked(ctx, oneRow("mail "+id), `UPDATE outbox SET status = $2, attempts = attempts + 1, next_attempt_at = $3, claimed_until = NULL, last_error = $4
			WHERE id = $1 AND status = 'queued'`, id, string(status), tx.db.ts(next), reason)
		if err != nil {
			return err
		}
		return tx.Record(ctx, dueprocess.System, action, "mail:"+id, map[string]any{"status": status, "next_attempt_at": next})
	})
}

// oneRow is a check that a statement changed exactly one row, else what
// is NotFound (a message already sent by another server, for example).
func oneRow(what string) func(int64) error {
	return func(n int64) error {
		if n != 1 {
			return dueprocess.Errorf(dueprocess.NotFound, "%s not found", what)
		}
		return nil
	}
}

const outboxColumns = `id, kind, recipient, subject, body, request_id, created_at, not_before, status, attempts, next_attempt_at, sent_at, last_error`

func scanOutbox(sc interface{ Scan(...any) error }) (dueprocess.OutboxMessage, error) {
	var m dueprocess.OutboxMessage
	var status string
	err := sc.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, nullString{&m.RequestID}, timeCol{&m.CreatedAt},
		timeCol{&m.NotBefore}, &status, &m.Attempts, timeCol{&m.NextAttemptAt}, nullTimeCol{&m.SentAt}, &m.LastError)
	m.Status = dueprocess.MailStatus(status)
	return m, err
}

func (tx *Tx) outboxMessages(ctx context.Context, ids []string) ([]dueprocess.OutboxMessage, error) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id IN (`+strings.Join(marks, ", ")+`) ORDER BY next_attempt_at, id`, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []dueprocess.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, m)
	}
	return list, mapError(rows.Err())
}

// OutboxFilter selects messages for the console.
type OutboxFilter struct {
	Status    dueprocess.MailStatus // "" for any
	RequestID string
	Limit     int // at most 500; 0 means 100
}

// Outbox lists messages, newest first.
func (db *DB) Outbox(ctx context.Context, f OutboxFilter) ([]dueprocess.OutboxMessage, error) {
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT ` + outboxColumns + ` FROM outbox WHERE ($1 = '' OR status = $1) AND ($2 = '' OR request_id = $2)
		ORDER BY created_at DESC, id DESC LIMIT $3`
	rows, err := db.sql.QueryContext(ctx, q, string(f.Status), f.RequestID, limit)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.OutboxMessage{}
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, m)
	}
	return list, mapError(rows.Err())
}

// OutboxCounts returns how many messages are in each status.
func (db *DB) OutboxCounts(ctx context.Context) (map[dueprocess.MailStatus]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[dueprocess.MailStatus]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, mapError(err)
		}
		out[dueprocess.MailStatus(s)] = n
	}
	return out, mapError(rows.Err())
}
