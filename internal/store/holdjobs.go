package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess"
)

// HoldWork is what one run of the hold loop did: the holds it expired and
// those whose reminder it marked due.
type HoldWork struct {
	Expired  []string
	Reminded []string
}

// HoldBatch is the most holds one run of the loop expires, and the most
// requests whose holds' reminders it marks.
const HoldBatch = 500

// HoldExpiryActor is who expires holds and marks reminders: the server's
// hold loop.
var HoldExpiryActor = dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "holds"}

// RunHolds does the holds' scheduled work due at the database's clock, in
// one transaction: it expires the holds whose term has ended and marks due
// the reminders of holds that end within dueprocess.HoldReminder, at most
// limit of each (HoldBatch for 0). On PostgreSQL the rows are claimed with
// FOR UPDATE SKIP LOCKED, so that any number of servers run it at once and
// each hold is expired, and each reminder marked, by exactly one of them;
// SQLite has one writer at a time. Each change is audited.
func (db *DB) RunHolds(ctx context.Context, limit int) (HoldWork, error) {
	if limit <= 0 {
		limit = HoldBatch
	}
	var w HoldWork
	err := db.Transact(ctx, func(tx *Tx) error {
		w = HoldWork{}
		var err error
		if w.Expired, err = tx.expireHolds(ctx, limit); err != nil {
			return err
		}
		w.Reminded, err = tx.remindHolds(ctx, limit)
		return err
	})
	return w, err
}

// claimHolds returns the ids of at most limit holds matching where, the
// soonest to end first, locked for this transaction on PostgreSQL and
// skipped there if another server has them.
func (tx *Tx) claimHolds(ctx context.Context, where string, limit int, args ...any) ([]string, error) {
	lock := ``
	if tx.db.dialect == Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM holds WHERE `+where+
		fmt.Sprintf(` ORDER BY expires_at, id LIMIT %d`, limit)+lock, args...)
	if err != nil {
		return nil, mapError(fmt.Errorf("claim holds: %w", err))
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		ids = append(ids, id)
	}
	return ids, mapError(rows.Err())
}

// expireHolds ends the holds whose term ran out, active or extended; a
// superseded hold is kept by its requests instead (see unlinkHolds).
func (tx *Tx) expireHolds(ctx context.Context, limit int) ([]string, error) {
	ids, err := tx.claimHolds(ctx, `status IN `+holdRunning+` AND expires_at <= $1`, limit, tx.db.ts(tx.now))
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := tx.endHold(ctx, id, dueprocess.HoldExpired, "its term ended", HoldExpiryActor); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// remindHolds marks the reminder due of each running hold that ends within
// dueprocess.HoldReminder and has had none for its term (an extension
// starts a new term, and clears reminded_at), and queues one message per
// request to its official. The unit of work is the request, so that its
// holds are reminded in one message: at most limit requests are claimed,
// their rows locked on PostgreSQL and skipped by other servers, and the
// marks are conditional, so a request another server reminded a moment
// ago marks nothing here and sends nothing.
func (tx *Tx) remindHolds(ctx context.Context, limit int) ([]string, error) {
	due := `status IN ` + holdRunning + ` AND reminded_at IS NULL AND expires_at > $1 AND expires_at <= $2`
	now, soon := tx.db.ts(tx.now), tx.db.ts(tx.now.Add(dueprocess.HoldReminder))
	lock := ``
	if tx.db.dialect == Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	requests, err := tx.ids(ctx, `SELECT id FROM requests WHERE id IN (SELECT request_id FROM holds WHERE `+due+`)`+
		fmt.Sprintf(` ORDER BY id LIMIT %d`, limit)+lock, now, soon)
	if err != nil {
		return nil, fmt.Errorf("claim hold reminders: %w", err)
	}
	reminded := []string{}
	for _, r := range requests {
		ids, err := tx.ids(ctx, `UPDATE holds SET reminded_at = $1 WHERE request_id = $3 AND `+due+` RETURNING id`, now, soon, r)
		if err != nil {
			return nil, fmt.Errorf("mark reminders of %s: %w", r, err)
		}
		var holds []*dueprocess.Hold
		for _, id := range ids {
			h, err := tx.hold(ctx, id)
			if err != nil {
				return nil, err
			}
			if err := tx.Record(ctx, HoldExpiryActor, dueprocess.ActionHoldReminderDue, "hold:"+id, map[string]any{
				"request": r, "expires_at": h.ExpiresAt}); err != nil {
				return nil, err
			}
			holds = append(holds, h)
		}
		if len(holds) == 0 {
			continue
		}
		if err := tx.queueHoldReminder(ctx, r, holds); err != nil {
			return nil, err
		}
		reminded = append(reminded, ids...)
	}
	return reminded, nil
}

// ids runs a query that returns one text column and collects it.
func (tx *Tx) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(err)
		}
		out = append(out, id)
	}
	return out, mapError(rows.Err())
}

// queueHoldReminder writes the "holds expiring" message for one request's
// official to the outbox, in the transaction that marks the reminders, so
// that it is sent once, or not at all if the marks roll back.
func (tx *Tx) queueHoldReminder(ctx context.Context, requestID string, holds []*dueprocess.Hold) error {
	var to string
	if err := tx.queryRow(ctx, `SELECT o.email FROM requests r JOIN officials o ON o.id = r.official_id WHERE r.id = $1`, requestID).Scan(&to); err != nil {
		return notFound(err, "official of request "+requestID)
	}
	subject, body := holdExpiringMail(requestID, holds)
	_, err := tx.QueueMail(ctx, &dueprocess.Mail{Kind: dueprocess.MailHoldExpiring, To: to, Subject: subject, Body: body, RequestID: requestID})
	return err
}

// holdExpiringMail is the message that tells an official their holds end
// soon: which request, which targets, when, and what they can do.
func holdExpiringMail(requestID string, holds []*dueprocess.Hold) (subject, body string) {
	end := holds[0].ExpiresAt
	for _, h := range holds {
		if h.ExpiresAt.Before(end) {
			end = h.ExpiresAt
		}
	}
	subject = fmt.Sprintf("Preservation holds of %s end on %s", requestID, end.Format(time.DateOnly))
	var b strings.Builder
	fmt.Fprintf(&b, "The data preserved for your request %s will no longer be held after %s UTC:\n\n",
		requestID, end.Format("2 January 2006 15:04"))
	for _, h := range holds {
		fmt.Fprintf(&b, "  - %s %s (hold %s), until %s\n", h.Target.Type, h.Target.Value, h.ID, h.ExpiresAt.Format(time.DateOnly))
	}
	b.WriteString("\n")
	if holds[0].ExtendedAt == nil && holds[0].ExtensionDays > 0 {
		fmt.Fprintf(&b, "You may extend these holds once, by %d days, with your API token:\n", holds[0].ExtensionDays)
		fmt.Fprintf(&b, "POST /api/v1/requests/%s/extend\n", requestID)
	} else {
		b.WriteString("These holds cannot be extended again.\n")
	}
	b.WriteString("To keep the data beyond that date, send the formal legal process (a user_data request naming the\n")
	b.WriteString("same accounts) before it: the holds then stay until that request is answered.\n")
	return subject, b.String()
}
