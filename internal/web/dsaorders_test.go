package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// dsaOrder is an order under DSA Art. 9 from the German agency, sent an
// hour before the test's clock.
const dsaOrder = `{"kind": "content_restriction", "jurisdiction": "DE",
  "legal_process": {"type": "dsa_removal_order", "reference": "ZMI-2026-41", "issued_by": "Bundeskriminalamt"},
  "requester_type": "police", "reason": "hate_speech",
  "items": [{"url": "https://video.example/watch?v=h1", "ground": "§ 130 StGB"}],
  "dsa_order": {"legal_basis": "§ 130 StGB (Volksverhetzung)", "statement_of_reasons": "The video calls for violence against a group.",
    "territorial_scope": ["DE", "AT"], "redress": "Objection within one month to the Landgericht Berlin.",
    "inform": "Bundeskriminalamt, ZMI", "transmitted_at": "2026-03-02T08:00:00Z"}}`

// TestDSAOrders: an Art. 9 order is taken in with its elements, given
// effect with four eyes (the time recorded), exported as a statement of
// reasons in the order's territorial scope, and counted in the Art.
// 15(1)(a) file with the median times to confirm receipt and to give
// effect; an order sent after it was received is refused with nothing
// stored.
func TestDSAOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		e := newEnv(t, db)
		status, m := e.submit(e.de, dsaOrder)
		if status != 201 || m["status"] != "in_review" {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		if o, _ := m["dsa_order"].(map[string]any); o == nil || o["inform"] != "Bundeskriminalamt, ZMI" || o["transmitted_at"] != "2026-03-02T08:00:00Z" {
			t.Errorf("dsa_order: %v", m["dsa_order"])
		}
		post := func(token, path, body string) {
			t.Helper()
			if status, b := e.do("POST", "/api/v1/requests/"+id+path, token, strings.NewReader(body)); status != 200 {
				t.Fatalf("%s: %d %s", path, status, b)
			}
		}
		post(e.staff, "/items/actions", `{"items": [0], "action": "restrict_in_jurisdiction", "reason": "incitement under § 130 StGB"}`)
		now = now.Add(5 * time.Hour)
		post(e.approver, "/items/confirm", `{"items": [0], "note": "the order is in due form"}`)
		if status, m := e.request(e.staff, id); status != 200 || fmt.Sprint(m["items"].([]any)[0].(map[string]any)["acted_at"]) != "2026-03-02T14:00:00Z" {
			t.Errorf("effect given at: %d %v", status, m["items"])
		}
		_, b := e.do("GET", "/api/v1/requests/"+id+"/statements", e.staff, nil)
		for _, want := range []string{`"illegal_content_legal_ground": "§ 130 StGB (Volksverhetzung)"`, `"AT"`, `"application_date": "2026-03-02"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("statement lacks %s: %s", want, b)
			}
		}
		// A second order, sent three hours before it arrives, not yet
		// given effect.
		now = now.Add(time.Hour) // 15:00
		status, m = e.submit(e.de, strings.Replace(strings.Replace(dsaOrder, "08:00:00Z", "12:00:00Z", 1), "v=h1", "v=h2", 1))
		if status != 201 {
			t.Fatalf("second order: %d %v", status, m)
		}
		// One sent after it was received is refused, and not stored.
		status, m = e.submit(e.de, strings.Replace(dsaOrder, "2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z", 1))
		if status != 400 || fieldOf(m) != "dsa_order.transmitted_at" {
			t.Errorf("order from the future: %d %v", status, m)
		}
		status, b = e.do("GET", "/transparency/2026-H1-dsa-orders.csv", "", nil)
		want := "Period Ending,Member State,Type of illegal content,Number of orders,Median time to confirm receipt (hours),Median time to give effect (hours),Orders given effect\n" +
			"2026-06-30,DE,STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH,2,2.0,5.0,1\n"
		if status != 200 || string(b) != want {
			t.Errorf("dsa-orders file: %d\n%s\nwant\n%s", status, b, want)
		}
	})
}
