package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

func TestSignin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := &dueprocess.Staff{Email: "reviewer@example.com", Name: "Rae", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
		tx := func(fn func(tx *store.Tx) error) error { return db.Transact(ctx, fn) }
		if err := tx(func(tx *store.Tx) error { return tx.CreateStaff(ctx, s, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		c, err := db.CredentialsByEmail(ctx, " reviewer@example.COM ")
		if err != nil || c.Staff.ID != s.ID || c.PasswordHash != "" || c.TOTPSecret != "" || c.Disabled || len(c.Staff.Roles) != 1 {
			t.Fatalf("credentials of a new staff member: %+v, %v", c, err)
		}
		if _, err := db.CredentialsByEmail(ctx, "nobody@example.com"); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("unknown e-mail: %v", err)
		}
		me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: s.ID}
		if err := tx(func(tx *store.Tx) error { return tx.SetPassword(ctx, s.ID, "$argon2id$x", me) }); err != nil {
			t.Fatal(err)
		}
		if err := tx(func(tx *store.Tx) error { return tx.EnrolTOTP(ctx, s.ID, "SECRET", 100, me) }); err != nil {
			t.Fatal(err)
		}
		if c, _ = db.Credentials(ctx, s.ID); c.PasswordHash != "$argon2id$x" || c.TOTPSecret != "SECRET" || c.TOTPLastStep != 100 {
			t.Errorf("after enrolment: %+v", c)
		}
		for _, tc := range []struct {
			step int64
			ok   bool
		}{{100, false}, {99, false}, {101, true}, {101, false}} {
			err := tx(func(tx *store.Tx) error { return tx.UseTOTPStep(ctx, s.ID, tc.step) })
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, dueprocess.ErrConflict)) {
				t.Errorf("use step %d: %v, want ok=%v", tc.step, err, tc.ok)
			}
		}

		// Two sessions; signing out everywhere but one ends the other.
		a := &store.Session{StaffID: s.ID, CSRF: "csrf-a", Address: "192.0.2.7", UserAgent: "test"}
		b := &store.Session{StaffID: s.ID, CSRF: "csrf-b", Address: "192.0.2.8", UserAgent: "test"}
		err = tx(func(tx *store.Tx) error {
			if err := tx.CreateSession(ctx, a, []byte("hash-a")); err != nil {
				return err
			}
			return tx.CreateSession(ctx, b, []byte("hash-b"))
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.SessionByHash(ctx, []byte("hash-a"))
		if err != nil || got.ID != a.ID || got.MFAAt != nil || got.CSRF != "csrf-a" {
			t.Fatalf("session by hash: %+v, %v", got, err)
		}
		if err := tx(func(tx *store.Tx) error { return tx.CompleteSession(ctx, got, []byte("hash-a2")) }); err != nil {
			t.Fatal(err)
		}
		// The second factor replaces the session's secret: the one from the
		// password step no longer finds it.
		if _, err := db.SessionByHash(ctx, []byte("hash-a")); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("the password step's secret still finds the completed session: %v", err)
		}
		if got, _ = db.SessionByHash(ctx, []byte("hash-a2")); got == nil || got.MFAAt == nil {
			t.Error("the completed session has no second factor")
		}
		var n int64
		if err := tx(func(tx *store.Tx) (err error) { n, err = tx.EndSessions(ctx, s.ID, a.ID, me); return err }); err != nil || n != 1 {
			t.Errorf("sign out everywhere else: %d, %v", n, err)
		}
		if _, err := db.SessionByHash(ctx, []byte("hash-b")); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("the other session after sign-out everywhere: %v", err)
		}
		// A new password ends every session.
		tx(func(tx *store.Tx) error { return tx.SetPassword(ctx, s.ID, "$argon2id$y", me) })
		if _, err := db.SessionByHash(ctx, []byte("hash-a")); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("a session after a password change: %v", err)
		}

		// Failures are counted per key, and pruned.
		err = tx(func(tx *store.Tx) error {
			for range 3 {
				if err := tx.RecordSigninFailure(ctx, "reviewer@example.com", "192.0.2.7", "wrong password", "account:reviewer@example.com", "address:192.0.2.7"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.SigninFailures(ctx, "address:192.0.2.7", time.Now().Add(-time.Minute)); n != 3 || err != nil {
			t.Errorf("failures: %d, %v; want 3", n, err)
		}
		tx(func(tx *store.Tx) error { return tx.PruneSigninFailures(ctx, time.Now().Add(time.Minute)) })
		if n, _ := db.SigninFailures(ctx, "address:192.0.2.7", time.Time{}); n != 0 {
			t.Errorf("failures after pruning: %d", n)
		}

		// A setup link works once, and not when stale.
		tx(func(tx *store.Tx) error { return tx.CreateSetupToken(ctx, []byte("setup")) })
		use := func(maxAge time.Duration) error {
			return tx(func(tx *store.Tx) error { return tx.UseSetupToken(ctx, []byte("setup"), maxAge) })
		}
		if err := use(-time.Hour); !errors.Is(err, dueprocess.ErrUnauthenticated) {
			t.Errorf("a stale setup link: %v", err)
		}
		if err := use(time.Hour); err != nil {
			t.Errorf("a fresh setup link: %v", err)
		}
		if err := use(time.Hour); !errors.Is(err, dueprocess.ErrUnauthenticated) {
			t.Errorf("a setup link used twice: %v", err)
		}
	})
}

// TestSigninThrottleHoldsUnderConcurrency makes 50 concurrent attempts on
// one account through two handles on one database, as two servers would:
// only the limit's worth may be counted and checked, and a refused attempt
// counts against nothing.
func TestSigninThrottleHoldsUnderConcurrency(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			var servers [2]*store.DB
			for i := range servers {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				servers[i] = db
			}
			const window, max = 15 * time.Minute, 5
			account := store.SigninLimit{Key: "account:reviewer@example.com", Max: max}
			address := store.SigninLimit{Key: "address:192.0.2.7", Max: 20}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var reserved []string
			refused := 0
			for i := range 50 {
				wg.Go(func() {
					attempt, err := servers[i%2].ReserveSignin(ctx, window, account, address)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						reserved = append(reserved, attempt)
					case dueprocess.ErrorKind(err) == dueprocess.RateLimited:
						refused++
					default:
						t.Errorf("attempt %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if len(reserved) != max || refused != 50-max {
				t.Fatalf("50 concurrent attempts: %d reserved, %d refused; want %d and %d", len(reserved), refused, max, 50-max)
			}
			db := servers[0]
			for _, l := range []store.SigninLimit{account, address} {
				if n, err := db.SigninFailures(ctx, l.Key, time.Now().Add(-time.Hour)); n != max || err != nil {
					t.Errorf("%s counted %d, %v; want %d (refused attempts count nothing)", l.Key, n, err, max)
				}
			}
			// A refused attempt leaves its other keys untouched.
			other := store.SigninLimit{Key: "address:192.0.2.8", Max: 20}
			if _, err := db.ReserveSignin(ctx, window, account, other); dueprocess.ErrorKind(err) != dueprocess.RateLimited {
				t.Errorf("an attempt on a full account: %v, want RateLimited", err)
			}
			if n, _ := db.SigninFailures(ctx, other.Key, time.Time{}); n != 0 {
				t.Errorf("the refused attempt's address counted %d", n)
			}
			// A released attempt (one that was right) frees its place.
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.ReleaseSignin(ctx, reserved[0]) }); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ReserveSignin(ctx, window, account, address); err != nil {
				t.Errorf("after a release: %v", err)
			}
			if _, err := db.ReserveSignin(ctx, window, account, address); dueprocess.ErrorKind(err) != dueprocess.RateLimited {
				t.Errorf("past the limit again: %v, want RateLimited", err)
			}
			// The window passes.
			db.Now = func() time.Time { return time.Now().Add(window + time.Minute) }
			if _, err := db.ReserveSignin(ctx, window, account, address); err != nil {
				t.Errorf("after the window: %v", err)
			}
			// A key longer than any index allows is still counted.
			long := store.SigninLimit{Key: "account:" + strings.Repeat("x", 5000), Max: 1}
			if _, err := db.ReserveSignin(ctx, window, long); err != nil {
				t.Errorf("a long key: %v", err)
			}
			if _, err := db.ReserveSignin(ctx, window, long); dueprocess.ErrorKind(err) != dueprocess.RateLimited {
				t.Errorf("a long key past its limit: %v, want RateLimited", err)
			}
		})
	}
}
