package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// officialMailOnMove writes the message a request's move owes its
// submitting official to the outbox, in the transaction of the move:
// "answer ready" when the request is answered (disclosed, no data held,
// rejected, refused) and "narrowing asked" when staff ask to narrow it.
// SetStatus calls it, so that every path to these statuses (a release,
// a review, a policy refusal at intake) tells the official, and only
// once the move commits. The mail names the request, its status and a
// link to the portal; never a target or anything gathered.
func (tx *Tx) officialMailOnMove(ctx context.Context, id string, status dueprocess.Status) error {
	kind := ""
	switch status {
	case dueprocess.StatusDisclosed, dueprocess.StatusNoData, dueprocess.StatusRejected, dueprocess.StatusRefused:
		kind = dueprocess.MailAnswerReady
	case dueprocess.StatusNarrowingRequested:
		kind = dueprocess.MailNarrowingAsked
	default:
		return nil
	}
	var to, name string
	err := tx.queryRow(ctx, `SELECT o.email, o.name FROM requests r JOIN officials o ON o.id = r.official_id WHERE r.id = $1`, id).Scan(&to, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // entered by staff for an official who has no account
	}
	if err != nil {
		return fmt.Errorf("official of request %s: %w", id, mapError(err))
	}
	subject, body := officialMail(kind, id, status, name, tx.db.portalLink(id))
	_, err = tx.QueueMail(ctx, &dueprocess.Mail{Kind: kind, To: to, Subject: subject, Body: body, RequestID: id})
	return err
}

// portalLink is the address of a request's page in the portal: absolute
// when the server knows its public address (PublicURL), else the path.
func (db *DB) portalLink(id string) string {
	return db.PublicURL + "/portal/requests/" + id
}

// officialMail is the text of the two messages to an official.
func officialMail(kind, id string, status dueprocess.Status, name, link string) (subject, body string) {
	if kind == dueprocess.MailNarrowingAsked {
		subject = "Request " + id + ": we ask you to narrow it"
		body = fmt.Sprintf("Dear %s,\n\nWe have reviewed your request %s and ask you to narrow it before we can answer it (status: %s).\n\nSign in to the portal to read what we ask and to reply:\n\n%s\n\nThis message holds no details of the request; they are in the portal only.\n",
			name, id, status, link)
		return subject, body
	}
	subject = "Request " + id + ": our answer is ready"
	body = fmt.Sprintf("Dear %s,\n\nOur answer to your request %s is ready (status: %s).\n\nSign in to the portal to read it and, where data is produced, to download the encrypted package, which can be downloaded once:\n\n%s\n\nThis message holds no details of the request or of any account; they are in the portal only.\n",
		name, id, status, link)
	return subject, body
}
