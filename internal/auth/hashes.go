package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Hashes bounds how many password hashes run at once in one process. Each
// argon2id hash holds 64 MiB while it runs, and anyone may post a sign-in
// form, so without a bound memory grows with the number of concurrent
// attempts until the server is killed. With one, it stays near the bound
// times 64 MiB whatever the load; attempts beyond it wait a moment for a
// turn, then are refused. The bound is per process, as memory is.
type Hashes struct {
	slots   chan struct{}
	wait    time.Duration
	refused atomic.Int64
}

// DefaultHashWait is how long a hash waits for its turn before it is
// refused: long enough to ride out a burst of honest sign-ins, short
// enough that a flood of attempts holds few requests open.
const DefaultHashWait = time.Second

// NewHashes returns a bound of n hashes at once (n <= 0: one per core),
// each waiting at most wait for its turn (wait <= 0: DefaultHashWait).
func NewHashes(n int, wait time.Duration) *Hashes {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	return &Hashes{slots: make(chan struct{}, n), wait: wait}
}

// Do runs fn, which hashes or checks a password, once fewer than the bound
// are running. If no turn comes within the wait, or ctx ends first, it
// returns an Unavailable error without running fn; whether a password was
// right is never known then, so the refusal reveals nothing about it.
func (h *Hashes) Do(ctx context.Context, fn func()) error {
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			h.refused.Add(1)
			return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the server is busy; try again in a moment"}
		case <-ctx.Done():
			h.refused.Add(1)
			return &dueprocess.Error{Kind: dueprocess.Unavailable, Message: "the server is busy; try again in a moment", Err: ctx.Err()}
		}
	}
	defer func() { <-h.slots }()
	fn()
	return nil
}

// Running returns how many hashes are running now.
func (h *Hashes) Running() int { return len(h.slots) }

// Refused returns how many hashes were refused for want of a turn.
func (h *Hashes) Refused() int64 { return h.refused.Load() }
