package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/jobs"
	"github.com/dueprocess/dueprocess/internal/store"
)

// remindFlag adds --remind-before to serve.
func (c *cli) remindFlag(fs *flag.FlagSet) (*time.Duration, error) {
	return c.durationFlag(fs, "remind-before", "DUEPROCESS_REMIND_BEFORE", 24*time.Hour,
		"how long before a request's due_at its assigned staff are reminded, once, by e-mail")
}

// startReminders starts the loop that queues deadline reminders: every
// period (--mail-every), each request due within before and not yet reminded gets one
// message to each staff member assigned to it, through the outbox. Every
// server may run it; each request is reminded once.
func (c *cli) startReminders(db *store.DB, before, every time.Duration, log *slog.Logger) (stop func()) {
	loop := &jobs.Loop{Name: "deadline reminders", Every: every, Log: log, Run: func(ctx context.Context) error {
		for ctx.Err() == nil {
			done, err := db.RemindDue(ctx, before, 100)
			if err != nil || len(done) < 100 {
				if len(done) > 0 {
					log.Info("deadline reminders queued", "requests", len(done))
				}
				return err
			}
		}
		return nil
	}}
	loop.Start()
	return loop.Close
}

// startValidations starts the loop that keeps the 48 hours of validation
// of emergency e-Evidence orders (docs/regimes.md): every period it
// reminds the staff assigned to an order whose time ends within
// dueprocess.ValidationReminderBefore, once, and refuses each order whose
// time has run out without a validation. Every server may run it.
func startValidations(db *store.DB, every time.Duration, log *slog.Logger) (stop func()) {
	loop := &jobs.Loop{Name: "emergency validations", Every: every, Log: log, Run: func(ctx context.Context) error {
		for ctx.Err() == nil {
			reminded, refused, err := db.CheckValidations(ctx, dueprocess.ValidationReminderBefore, 100)
			if len(reminded)+len(refused) > 0 {
				log.Info("emergency validations", "reminded", len(reminded), "refused", len(refused))
			}
			if err != nil || (len(reminded) < 100 && len(refused) < 100) {
				return err
			}
		}
		return nil
	}}
	loop.Start()
	return loop.Close
}
