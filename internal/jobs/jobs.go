// Package jobs runs the server's background work. Each piece of work is a
// Loop that someone owns: it runs on a timer, stops when asked, backs off
// after an error, and Close waits for it, so no goroutine outlives the
// database it writes to.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Loop runs Run every Every until Close. After an error it tries again
// sooner, doubling the wait from a second up to Every, and logs the error
// once per failed run.
type Loop struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
	Log   *slog.Logger

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// Start runs the loop in the background; the first run is at once.
func (l *Loop) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.done.Add(1)
	go l.loop(ctx)
}

// Close stops the loop, letting a run in progress see its context end, and
// waits for it to return.
func (l *Loop) Close() {
	if l.cancel != nil {
		l.cancel()
		l.done.Wait()
	}
}

func (l *Loop) loop(ctx context.Context) {
	defer l.done.Done()
	log := l.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	backoff := time.Duration(0)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		wait := l.Every
		if err := l.Run(ctx); err != nil && ctx.Err() == nil {
			backoff = min(max(2*backoff, time.Second), l.Every)
			wait = backoff
			log.Warn("background work failed; retrying", "job", l.Name, "in", wait, "err", err)
		} else {
			backoff = 0
		}
		timer.Reset(wait)
	}
}
