package jobs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoopRunsAndStops: the loop runs at once and then on its timer, backs
// off after an error instead of spinning, and Close waits for a run in
// progress to return.
func TestLoopRunsAndStops(t *testing.T) {
	var runs, failures atomic.Int32
	inRun := make(chan struct{}, 1)
	l := &Loop{Name: "test", Every: 20 * time.Millisecond, Run: func(ctx context.Context) error {
		n := runs.Add(1)
		if n == 2 {
			failures.Add(1)
			return errors.New("boom")
		}
		select {
		case inRun <- struct{}{}:
		default:
		}
		return nil
	}}
	l.Start()
	<-inRun
	time.Sleep(1300 * time.Millisecond)
	l.Close()
	n := runs.Load()
	// Runs 1 and 2 come 20 ms apart; after the failure the loop waits the
	// backoff (capped at Every), then runs on every 20 ms.
	if n < 3 || failures.Load() != 1 {
		t.Fatalf("runs = %d, failures = %d; want at least 3 runs after one failure", n, failures.Load())
	}
	time.Sleep(60 * time.Millisecond)
	if after := runs.Load(); after != n {
		t.Fatalf("the loop ran %d more times after Close", after-n)
	}
}

// TestCloseCancelsARun: Close ends a run that waits on its context.
func TestCloseCancelsARun(t *testing.T) {
	started := make(chan struct{})
	l := &Loop{Name: "slow", Every: time.Hour, Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}}
	l.Start()
	<-started
	done := make(chan struct{})
	go func() { l.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a run waited on its context")
	}
}
