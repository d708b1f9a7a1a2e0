package dueprocess

import (
	"net/mail"
	"strings"
	"time"
)

// Kinds of mail. Each message the system sends names why it was written,
// so that the outbox can be read and counted by purpose. Other kinds may
// be added by the code that writes them; these are the ones known now.
const (
	MailHoldExpiring     = "hold.expiring"
	MailAnswerReady      = "answer.ready"
	MailNarrowingAsked   = "narrowing.asked"
	MailDeadlineReminder = "deadline.reminder"
	MailUserNotice       = "user.notice"
)

// Mail is a message to be sent: written to the outbox in the transaction
// of the change that causes it (store.Tx.QueueMail) and sent afterwards,
// with retries, by the background loop that serve runs.
type Mail struct {
	// Kind says why the message is sent, such as "hold.expiring".
	Kind string
	// To is the one recipient's address ("alice@example.org").
	To string
	// Subject and Body are the message's text; Body is plain text.
	Subject, Body string
	// RequestID is the request the message is about, if any.
	RequestID string
	// NotBefore holds the message back until then; zero sends it now.
	NotBefore time.Time
}

// MailStatus is where a queued message stands.
type MailStatus string

const (
	MailQueued MailStatus = "queued" // waiting to be sent, or to be tried again
	MailSent   MailStatus = "sent"   // accepted by the SMTP server
	MailFailed MailStatus = "failed" // given up after the last attempt
)

// Check returns an Invalid error naming the field at fault, or nil.
func (m *Mail) Check() error {
	if strings.TrimSpace(m.Kind) == "" || len(m.Kind) > 64 {
		return FieldError("kind", "a mail needs a kind of at most 64 characters, such as %q", MailUserNotice)
	}
	a, err := mail.ParseAddress(m.To)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(m.To) {
		return FieldError("to", "a mail needs one recipient address, such as alice@example.org")
	}
	if strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n") || len(m.Subject) > 998 {
		return FieldError("subject", "a mail needs a subject on one line")
	}
	if m.Body == "" {
		return FieldError("body", "a mail needs a body")
	}
	return nil
}

// OutboxMessage is a message as the outbox holds it.
type OutboxMessage struct {
	ID string
	Mail
	Status        MailStatus
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	SentAt        *time.Time
	LastError     string
}

// MessageID returns the Message-ID header value of the outbox row id sent
// from the domain domain: the same for every attempt, so that a message
// sent twice (after a crash between sending and marking it sent) is one
// message to its recipient's mail system.
func MessageID(id, domain string) string {
	return "<" + id + "@" + domain + ">"
}
