package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/gather"
	"github.com/dueprocess/dueprocess/internal/jobs"
	"github.com/dueprocess/dueprocess/internal/store"
)

// noticePolicy returns the notice section of the policy at path.
func noticePolicy(path string) (dueprocess.NoticePolicy, error) {
	p, err := loadPolicy(path)
	if err != nil {
		return dueprocess.NoticePolicy{}, err
	}
	return p.Notice(), nil
}

// contacter returns the connectors' contact lookup, or nil (not a nil
// *gather.Set in an interface) when there are none.
func contacter(set *gather.Set) dueprocess.Contacter {
	if !set.HasContact() {
		return nil
	}
	return set
}

// startNotices starts the loop that sends user notices whose wait is
// over (a non-disclosure order ended, an emergency's delay passed): every
// period, each due notice's message is written to the outbox and the
// notice marked queued, in one transaction. Every server may run it; each
// notice is queued once.
func (c *cli) startNotices(db *store.DB, every time.Duration, log *slog.Logger) (stop func()) {
	loop := &jobs.Loop{Name: "user notices", Every: every, Log: log, Run: func(ctx context.Context) error {
		for ctx.Err() == nil {
			done, err := db.ReleaseNotices(ctx, 100)
			if len(done) > 0 {
				log.Info("user notices released", "notices", len(done))
			}
			if err != nil || len(done) < 100 {
				return err
			}
		}
		return nil
	}}
	loop.Start()
	return loop.Close
}
