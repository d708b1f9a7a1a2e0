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

// contacter returns the connectors' contact lookup, or nil (not a nil
// *gather.Set in an interface) when there are none.
func contacter(set *gather.Set) dueprocess.Contacter {
	if !set.HasContact() {
		return nil
	}
	return set
}

// startNotices starts the loop of user notices. Every period it first
// asks the platform's contact query (contacts, nil without connectors) for
// the address of each notice written without one, outside any transaction,
// claiming them for a minute so that no other server asks at the same
// time; then it sends the notices whose wait is over (a non-disclosure
// order ended, an emergency's delay passed): each due notice's message is
// written to the outbox and the notice marked queued, in one transaction.
// Every server may run it; each notice is queued once.
func (c *cli) startNotices(db *store.DB, contacts dueprocess.Contacter, p dueprocess.NoticePolicy, every time.Duration, log *slog.Logger) (stop func()) {
	loop := &jobs.Loop{Name: "user notices", Every: every, Log: log, Run: func(ctx context.Context) error {
		if err := resolveNotices(ctx, db, contacts, p); err != nil {
			return err
		}
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

// resolveNotices gives each notice written without an address the one the
// contact query finds, or none. A query that fails leaves the notice to be
// tried again when its claim ends, and is logged by the loop.
func resolveNotices(ctx context.Context, db *store.DB, contacts dueprocess.Contacter, p dueprocess.NoticePolicy) error {
	for ctx.Err() == nil {
		list, err := db.ClaimUnresolvedNotices(ctx, 20, time.Minute)
		if err != nil || len(list) == 0 {
			return err
		}
		for _, n := range list {
			addrs, err := dueprocess.NoticeAddresses(ctx, []dueprocess.Target{n.Target}, contacts)
			if err != nil {
				return err
			}
			if err := db.ResolveNotice(ctx, n.ID, addrs[n.Target], p); err != nil {
				return err
			}
		}
	}
	return nil
}
