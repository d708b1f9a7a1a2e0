package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestSaveCheckpointRefusesAnotherKey: two servers started with different
// keys on a log without checkpoints used to be able to save one each, and
// the log then verified under neither. The key is now checked in the
// transaction that saves a checkpoint, so of 20 servers racing with two
// keys only one key's checkpoints are ever stored.
func TestSaveCheckpointRefusesAnotherKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 5 {
			if err := db.Transact(ctx, func(tx *store.Tx) error {
				return tx.Record(ctx, dueprocess.System, "test.appended", "test:key", map[string]any{"i": i})
			}); err != nil {
				t.Fatal(err)
			}
		}
		signerA, _, _, err := audit.CreateKey(t.TempDir(), "example.com/a")
		if err != nil {
			t.Fatal(err)
		}
		signerB, _, _, err := audit.CreateKey(t.TempDir(), "example.com/a")
		if err != nil {
			t.Fatal(err)
		}
		log := db.AuditLog()
		var wg sync.WaitGroup
		var mu sync.Mutex
		saved := map[string]int{}
		for i := range 20 {
			signer := signerA
			if i%2 == 1 {
				signer = signerB
			}
			wg.Go(func() {
				size := int64(1 + i%5)
				text, err := audit.NewCheckpoint(ctx, log, signer, signer.Name(), size)
				if err != nil {
					t.Error(err)
					return
				}
				err = log.SaveCheckpoint(ctx, size, text)
				var wrong *audit.WrongKeyError
				switch {
				case err == nil:
					mu.Lock()
					saved[audit.KeyID(signer.Name(), signer.KeyHash())]++
					mu.Unlock()
				case !errors.As(err, &wrong):
					t.Errorf("save: %v, want nil or a WrongKeyError", err)
				}
			})
		}
		wg.Wait()
		if len(saved) != 1 {
			t.Fatalf("checkpoints saved by %d keys (%v); want one", len(saved), saved)
		}
		keys := map[string]bool{}
		err = log.Checkpoints(ctx, func(size int64, text []byte) error {
			k, err := audit.CheckpointKey(text)
			keys[k] = true
			return err
		})
		if err != nil || len(keys) != 1 {
			t.Fatalf("stored checkpoints are signed by %v (%v); want one key", keys, err)
		}
	})
}
