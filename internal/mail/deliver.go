package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Outbox is what a Deliverer needs of the store (*store.DB has it).
type Outbox interface {
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]dueprocess.OutboxMessage, error)
	MailSent(ctx context.Context, id string) error
	MailDeferred(ctx context.Context, id, reason string, retry time.Time) error
}

// Retry policy: a message that the server turns away for now is tried
// again after FirstRetry, then after twice as long each time up to
// MaxRetryWait, and given up after MaxAttempts attempts in all: with the
// defaults, about a day. A permanent refusal (a 5xx reply) is given up at
// once.
const (
	FirstRetry   = time.Minute
	MaxRetryWait = 6 * time.Hour
	MaxAttempts  = 12
	// Lease is how long a claimed batch is the claimant's alone. A sender
	// that dies holding it leaves its messages to be claimed again when
	// it ends.
	Lease = 5 * time.Minute
	// Batch is how many messages a pass claims at once.
	Batch = 50
)

// RetryWait returns how long to wait after the attempt-th failed attempt.
func RetryWait(attempt int) time.Duration {
	wait := FirstRetry
	for i := 1; i < attempt && wait < MaxRetryWait; i++ {
		wait *= 2
	}
	return min(wait, MaxRetryWait)
}

// Deliverer sends the outbox's due messages: claim, send, mark. Several
// may run at once, in one process or on several servers sharing one
// PostgreSQL database; each message is claimed by one of them.
type Deliverer struct {
	Outbox Outbox
	Sender *Sender
	Now    func() time.Time // the clock of the retry times; the store's
	Log    *slog.Logger
	// Sent, if set, is called after each message is marked sent.
	Sent func(m *dueprocess.OutboxMessage)
	// Lease and Batch override the package's Lease and Batch (tests).
	Lease time.Duration
	Batch int
}

// Run sends due messages until none is left or ctx ends, and returns how
// many it sent. It is a jobs.Loop's Run. An error to reach the SMTP
// server defers the claimed messages and is returned, so that the loop
// backs off.
func (d *Deliverer) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		lease := Lease
		if d.Lease > 0 {
			lease = d.Lease
		}
		batch := Batch
		if d.Batch > 0 {
			batch = d.Batch
		}
		list, err := d.Outbox.ClaimMail(ctx, batch, lease)
		if err != nil || len(list) == 0 {
			return err
		}
		if err := d.send(ctx, list); err != nil {
			return err
		}
	}
	return nil
}

// send sends a claimed batch on one connection.
func (d *Deliverer) send(ctx context.Context, list []dueprocess.OutboxMessage) error {
	conn, err := d.Sender.Dial(ctx)
	if err != nil {
		for i := range list {
			if derr := d.retryLater(ctx, &list[i], err); derr != nil {
				return derr
			}
		}
		return err
	}
	defer conn.Close()
	for i := range list {
		m := &list[i]
		if err := conn.Send(m); err != nil {
			if derr := d.retryLater(ctx, m, err); derr != nil {
				return derr
			}
			continue
		}
		// A crash here, after the server took the message and before it
		// is marked, sends it again when the lease ends: the same
		// message, with the same Message-ID (see docs/mail.md).
		err := d.Outbox.MailSent(ctx, m.ID)
		if errors.Is(err, dueprocess.ErrNotFound) {
			// Our lease ran out while we sent, and another server sent
			// and marked it too: the same message, already recorded.
			d.log().Warn("mail sent after its lease ended, and marked by another sender", "id", m.ID)
			continue
		}
		if err != nil {
			return fmt.Errorf("mark %s sent: %w", m.ID, err)
		}
		if d.Sent != nil {
			d.Sent(m)
		}
	}
	return nil
}

// defer_ records a failed attempt: tried again later, or given up.
func (d *Deliverer) retryLater(ctx context.Context, m *dueprocess.OutboxMessage, cause error) error {
	attempt := m.Attempts + 1
	retry := time.Time{}
	if !IsPermanent(cause) && attempt < MaxAttempts {
		retry = d.now().Add(RetryWait(attempt))
	}
	if retry.IsZero() {
		d.log().Warn("mail given up", "id", m.ID, "kind", m.Kind, "attempts", attempt, "err", cause)
	}
	return d.Outbox.MailDeferred(ctx, m.ID, cause.Error(), retry)
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}
