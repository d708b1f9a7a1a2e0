package store_test

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/webhook"
)

// platformHook is the platform's side of the actions webhook: it checks
// each batch's signature, fails the first fail batches with 503, and keeps
// the seqs of the batches it acknowledged.
type platformHook struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	fail   int
	seqs   []int64
}

func (p *platformHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sig := r.Header.Get(webhook.SignatureHeader)
	ts, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
	var b webhook.Batch
	if err := json.Unmarshal(body, &b); err != nil {
		p.t.Errorf("a batch that is not JSON: %v", err)
	}
	// The signature covers the time and the body, with our secret.
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		p.t.Errorf("signature %q has no time", sig)
	}
	want := webhook.Sign(p.secret, body, time.Unix(unix, 0))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		p.t.Errorf("signature %q, want %q", sig, want)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail > 0 {
		p.fail--
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	for _, a := range b.Actions {
		p.seqs = append(p.seqs, a.Seq)
	}
	w.WriteHeader(http.StatusNoContent)
}

// actionsInEffect stores a content demand of n items and takes a
// no_action on each, which takes effect at once: n actions to deliver.
func actionsInEffect(t *testing.T, db *store.DB, n int) {
	t.Helper()
	a, o := fixture(t, db, "HK", "police.gov.hk")
	r := submitContent(t, db, contentRequest(t, n, "defamation"), a, o)
	rae := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if _, err := db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: idx, Action: "no_action", Reason: "lawful speech"}, nil); err != nil {
		t.Fatal(err)
	}
}

// TestWebhookDeliversEveryActionOnceAcknowledged: the platform's webhook
// gets every action in order, a batch it refused is sent again, and the
// cursor moves only with an acknowledgement, audited.
func TestWebhookDeliversEveryActionOnceAcknowledged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const n = 250
		actionsInEffect(t, db, n)
		hook := &platformHook{t: t, secret: []byte("shared secret"), fail: 2}
		srv := httptest.NewServer(hook)
		defer srv.Close()
		d := &webhook.Deliverer{DB: db, URL: srv.URL + "/dueprocess?token=private", Secret: hook.secret, Size: 100}
		for i := 0; ; i++ {
			err := d.Run(ctx)
			if err == nil {
				break
			}
			if strings.Contains(err.Error(), "private") {
				t.Errorf("the error shows the URL's query: %v", err)
			}
			if i == 2 {
				t.Fatalf("still failing after the platform recovered: %v", err)
			}
			if got, _ := db.WebhookCursor(ctx); got != 0 {
				t.Fatalf("the cursor moved to %d on a refused batch", got)
			}
		}
		if len(hook.seqs) != n {
			t.Fatalf("the platform acknowledged %d actions, want %d", len(hook.seqs), n)
		}
		for i := 1; i < n; i++ {
			if hook.seqs[i] <= hook.seqs[i-1] {
				t.Fatalf("actions out of order at %d: %d after %d", i, hook.seqs[i], hook.seqs[i-1])
			}
		}
		if got, _ := db.WebhookCursor(ctx); got != hook.seqs[n-1] {
			t.Errorf("cursor %d, want the last action's seq %d", got, hook.seqs[n-1])
		}
		// Nothing new: nothing is sent.
		before := len(hook.seqs)
		if err := d.Run(ctx); err != nil || len(hook.seqs) != before {
			t.Errorf("a run with nothing new: %v, %d actions sent", err, len(hook.seqs)-before)
		}
		if delivered := actionCounts(t, db)[dueprocess.ActionActionsDelivered]; delivered != 3 {
			t.Errorf("%d deliveries audited, want 3 batches", delivered)
		}
	})
}

// TestWebhookTwoServers runs the deliverers of two "servers" on one
// database at once: every action reaches the platform, the cursor ends at
// the last, and none is skipped (a batch may arrive twice: at least once).
func TestWebhookTwoServers(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			var dbs []*store.DB
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				dbs = append(dbs, db)
			}
			const n = 120
			actionsInEffect(t, dbs[0], n)
			hook := &platformHook{t: t, secret: []byte("s")}
			srv := httptest.NewServer(hook)
			defer srv.Close()
			var wg sync.WaitGroup
			for _, db := range dbs {
				wg.Go(func() {
					d := &webhook.Deliverer{DB: db, URL: srv.URL, Secret: hook.secret, Size: 7}
					if err := d.Run(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			seen := map[int64]bool{}
			for _, s := range hook.seqs {
				seen[s] = true
			}
			if len(seen) != n {
				t.Errorf("%d distinct actions reached the platform, want %d", len(seen), n)
			}
			last, _ := dbs[1].WebhookCursor(ctx)
			if !seen[last] || len(hook.seqs) == 0 {
				t.Errorf("cursor %d is not an acknowledged action", last)
			}
			for s := range seen {
				if s > last {
					t.Errorf("action %d was acknowledged beyond the cursor %d", s, last)
				}
			}
		})
	}
}
