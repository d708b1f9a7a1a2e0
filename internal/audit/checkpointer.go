package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
)

// CheckpointStore is where checkpoints are kept: the committed log and its
// stored checkpoints. store.AuditSource implements it.
type CheckpointStore interface {
	HashReader
	Size(ctx context.Context) (int64, error)
	SaveCheckpoint(ctx context.Context, size int64, text []byte) error
	LatestCheckpoint(ctx context.Context) (size int64, text []byte, err error)
}

// ErrNoKey is what a Checkpointer without a Signer returns when the log has
// grown since its latest checkpoint: it can serve stored checkpoints only.
var ErrNoKey = errors.New("the audit log has grown since its latest checkpoint, and there is no key to sign a new one")

// Checkpointer signs and stores checkpoints of a log: whenever one is
// asked for and the log has grown since the latest, and at least every
// Every while entries arrive. Several servers sharing one database may each
// run one: a store keeps the first checkpoint saved for a size, and every
// server signs with the same key. It refuses to sign with a key other than
// the one that signed the latest stored checkpoint (a *WrongKeyError).
type Checkpointer struct {
	Store  CheckpointStore
	Signer note.Signer   // nil serves stored checkpoints only (ErrNoKey)
	Origin string        // the log's name; the key's name by convention
	Every  time.Duration // default one hour
	Log    *slog.Logger  // nil discards

	stop chan struct{}
	done sync.WaitGroup
}

// Latest returns the latest checkpoint, first signing and storing one of
// the current tree if the log has grown since. An empty log has none: that
// is NotFound.
func (c *Checkpointer) Latest(ctx context.Context) (size int64, text []byte, err error) {
	n, err := c.Store.Size(ctx)
	if err != nil {
		return 0, nil, err
	}
	size, text, err = c.Store.LatestCheckpoint(ctx)
	if err != nil && !errors.Is(err, dueprocess.ErrNotFound) {
		return 0, nil, err
	}
	if err == nil && size >= n {
		return size, text, nil
	}
	if n == 0 {
		return 0, nil, dueprocess.Errorf(dueprocess.NotFound, "the audit log is empty; there is no checkpoint yet")
	}
	if c.Signer == nil {
		return 0, nil, ErrNoKey
	}
	// Never extend the log's checkpoints with another key's signature: a
	// server whose key was swapped while it ran must not publish a
	// checkpoint that fails verification for good.
	if err == nil {
		if err := checkKey(text, c.Signer); err != nil {
			return 0, nil, err
		}
	}
	signed, err := NewCheckpoint(ctx, c.Store, c.Signer, c.Origin, n)
	if err != nil {
		return 0, nil, err
	}
	if err := c.Store.SaveCheckpoint(ctx, n, signed); err != nil {
		return 0, nil, err
	}
	// Another server may have saved this size first; serve what is stored.
	return c.Store.LatestCheckpoint(ctx)
}

// Start runs the hourly checkpoint loop until Close.
func (c *Checkpointer) Start() {
	c.stop = make(chan struct{})
	c.done.Add(1)
	go c.loop()
}

// Close stops the loop and waits for it to finish.
func (c *Checkpointer) Close() {
	if c.stop != nil {
		close(c.stop)
		c.done.Wait()
	}
}

func (c *Checkpointer) loop() {
	defer c.done.Done()
	every := c.Every
	if every <= 0 {
		every = time.Hour
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-c.stop; cancel() }()
	wait, backoff := every, time.Duration(0)
	for {
		select {
		case <-c.stop:
			return
		case <-time.After(wait):
		}
		size, _, err := c.Latest(ctx)
		switch {
		case err == nil:
			log.Info("audit checkpoint", "size", size)
			wait, backoff = every, 0
		case errors.Is(err, dueprocess.ErrNotFound):
			wait, backoff = every, 0 // an empty log: nothing to sign yet
		case ctx.Err() != nil:
			return
		default:
			// Try again soon, then less and less often, never less often
			// than the period itself.
			log.Error("audit checkpoint failed", "err", err)
			backoff = max(backoff*2, time.Second)
			wait = min(backoff, every)
		}
	}
}
