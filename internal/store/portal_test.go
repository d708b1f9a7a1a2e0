package store_test

import (
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestLinkIsUsedOnce uses one invitation's link from 20 goroutines at
// once, through two handles on the same database: exactly one sets the
// password; the others find the link used. A link past its lifetime is
// not found.
func TestLinkIsUsedOnce(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { linkUsedOnce(t, d) })
	}
}

func linkUsedOnce(t *testing.T, d store.Dialect) {
	dsn := storetest.DSN(t, d)
	var servers [2]*store.DB
	for i := range servers {
		h, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		if _, err := h.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		servers[i] = h
	}
	db, other := servers[0], servers[1]
	a := &dueprocess.Agency{Name: "HKPF", Jurisdiction: "HK", Kind: dueprocess.AgencyPolice, Domains: []string{"police.gov.hk"}}
	hash := sha256.Sum256([]byte("link-secret"))
	stale := sha256.Sum256([]byte("stale-secret"))
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
			return err
		}
		o := &dueprocess.Official{AgencyID: a.ID, Email: "chan@police.gov.hk", Name: "Chan"}
		if _, err := tx.InviteOfficial(ctx, o, hash[:], time.Hour, dueprocess.System); err != nil {
			return err
		}
		_, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: a.ID, Email: "lee@police.gov.hk", Name: "Lee"}, stale[:], -time.Minute, dueprocess.System)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	joined, used := 0, 0
	for i := range 20 {
		h := db
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() {
			err := h.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.Join(ctx, hash[:], "Chan", "$argon2id$x")
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				joined++
			case errors.Is(err, dueprocess.ErrNotFound):
				used++
			default:
				t.Errorf("join: %v", err)
			}
		})
	}
	wg.Wait()
	if joined != 1 || used != 19 {
		t.Errorf("%d joined and %d found the link used; want 1 and 19", joined, used)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.Join(ctx, stale[:], "Lee", "$argon2id$x"); return err })
	if !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("a link past its lifetime: %v, want not found", err)
	}
}
