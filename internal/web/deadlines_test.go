package web_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestDueAtOverdueAndMetrics: a request's due_at is in its JSON (its own
// deadline, or the default policy's 30 days), the overdue filter lists
// what is past due, and /metrics counts it.
func TestDueAtOverdueAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		e := newEnv(t, db)
		st, noDeadline := e.submit(e.hk, with("deadline", nil))
		if st != 201 || noDeadline["due_at"] != "2026-04-09T12:00:00Z" {
			t.Fatalf("without a deadline: %d, due_at %v; want 30 days after receipt", st, noDeadline["due_at"])
		}
		st, withDeadline := e.submit(e.hk, hkRequest)
		if st != 201 || withDeadline["due_at"] != "2026-04-01T23:59:59Z" {
			t.Fatalf("with deadline 2026-04-01: %d, due_at %v", st, withDeadline["due_at"])
		}
		if st, got := e.request(e.staff, withDeadline["id"].(string)); st != 200 || got["due_at"] != "2026-04-01T23:59:59Z" {
			t.Errorf("GET: %d, due_at %v", st, got["due_at"])
		}
		overdue := func() []string {
			t.Helper()
			st, b := e.do("GET", "/api/v1/requests?overdue=true", e.staff, nil)
			var page struct{ Requests []struct{ ID string } }
			if err := json.Unmarshal(b, &page); st != 200 || err != nil {
				t.Fatalf("GET ?overdue=true: %d %s", st, b)
			}
			var ids []string
			for _, r := range page.Requests {
				ids = append(ids, r.ID)
			}
			return ids
		}
		if got := overdue(); len(got) != 0 {
			t.Errorf("overdue on receipt: %v", got)
		}
		now = time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)
		if got := overdue(); len(got) != 1 || got[0] != withDeadline["id"] {
			t.Errorf("overdue on 2026-04-05: %v, want [%v]", got, withDeadline["id"])
		}
		if st, b := e.do("GET", "/metrics", "", nil); st != 200 || !strings.Contains(string(b), "dueprocess_requests_overdue 1\n") ||
			!strings.Contains(string(b), `dueprocess_outbox_messages{status="queued"} 0`) {
			t.Errorf("metrics: %d, want one overdue request and the outbox:\n%.3000s", st, b)
		}
		if st, b := e.do("GET", "/api/v1/requests?overdue=yes", e.staff, nil); st != 400 || !strings.Contains(string(b), `"overdue"`) {
			t.Errorf("?overdue=yes: %d %s, want 400 naming overdue", st, b)
		}
	})
}
