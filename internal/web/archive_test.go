package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// hkNSL is the demand of docs/content.md's walkthrough, with a private
// person's e-mail address and telephone number in a ground.
const hkNSL = `{"kind": "content_restriction", "jurisdiction": "HK",
  "legal_process": {"type": "other", "reference": "HKPF-NSL-2026-7", "issued_by": "Hong Kong Police Force"},
  "requester_type": "police", "reason": "national_security",
  "items": [{"url": "https://video.example/watch?v=a1", "ground": "National Security Law, art. 23", "quote": "the government lied"},
            {"url": "https://video.example/watch?v=b2", "ground": "National Security Law, art. 23; informant chan@example.hk, +852 5555 0100"}]}`

// TestContentWalkthroughToArchive follows docs/content.md's walkthrough to
// its end: the demand, reviewed item by item with no action on criticism,
// is closed, exported to Lumen (redacted) and to statements of reasons
// (none: nothing was restricted), and appears in the public archive with
// a proof link for each item; a second demand, restricted under a court
// order, gives statements of reasons; a third, under a non-disclosure
// order, enters the archive only when the order ends.
func TestContentWalkthroughToArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		e := newEnv(t, db)
		post := func(id, token, path, body string, want int) string {
			t.Helper()
			status, b := e.do("POST", "/api/v1/requests/"+id+path, token, strings.NewReader(body))
			if status != want {
				t.Fatalf("%s %s: %d %s, want %d", id, path, status, b, want)
			}
			return string(b)
		}
		status, m := e.submit(e.hk, hkNSL)
		if status != 201 || m["status"] != "escalated" {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		post(id, e.humanRights, "/human-rights", `{"conclusion": "proceed", "legality": "an order under the NSL", "necessity": "two posts named", "proportionality": "review each"}`, 200)
		post(id, e.staff, "/items/actions", `{"items": [0], "action": "no_action", "reason": "political criticism; protected speech"}`, 200)
		// Not every item is decided: the demand cannot be closed yet.
		if b := post(id, e.staff, "/close", `{"note": "done"}`, 409); !strings.Contains(b, "items 1") {
			t.Errorf("early close: %s", b)
		}
		post(id, e.staff, "/items/actions", `{"items": [1], "action": "no_action", "reason": "political criticism; protected speech"}`, 200)
		post(id, e.staff, "/close", `{"note": "every item decided; the police were told"}`, 200)

		// Lumen: a government request, the quote, e-mail and phone redacted.
		status, b := e.do("GET", "/api/v1/requests/"+id+"/lumen", e.staff, nil)
		var lumen struct {
			Notice struct {
				Works []struct {
					URLs []struct{ URL string } `json:"infringing_urls_attributes"`
				} `json:"works_attributes"`
			} `json:"notice"`
		}
		json.Unmarshal(b, &lumen)
		if status != 200 || len(lumen.Notice.Works) != 2 || lumen.Notice.Works[1].URLs[0].URL != "https://video.example/watch?v=b2" ||
			!strings.Contains(string(b), `"type": "GovernmentRequest"`) || !strings.Contains(string(b), `"action_taken": "No"`) {
			t.Errorf("lumen: %d %s", status, b)
		}
		for _, secret := range []string{"the government lied", "chan@example.hk", "5555 0100"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("lumen notice carries %q", secret)
			}
		}
		if status, b := e.do("GET", "/api/v1/requests/"+id+"/statements", e.staff, nil); status != 200 || !strings.Contains(string(b), `"statements": []`) {
			t.Errorf("statements of a demand with nothing restricted: %d %s", status, b)
		}

		// A court order from Germany, restricted with four eyes.
		de := strings.NewReplacer(`"HK"`, `"DE"`, "High Court of Hong Kong", "Landgericht Berlin").Replace(hkContent)
		status, m = e.submit(e.de, de)
		if status != 201 || m["status"] != "in_review" {
			t.Fatalf("submit DE: %d %v", status, m)
		}
		court := m["id"].(string)
		post(court, e.staff, "/items/actions", `{"items": [0, 1], "action": "restrict_in_jurisdiction", "reason": "the court found it defamatory"}`, 200)
		post(court, e.staff, "/close", `{"note": "done"}`, 409) // waiting for confirmation
		now = now.Add(26 * time.Hour)
		post(court, e.approver, "/items/confirm", `{"items": [0, 1], "note": "read the judgment"}`, 200)
		status, b = e.do("GET", "/api/v1/requests/"+court+"/statements", e.staff, nil)
		for _, want := range []string{`"decision_visibility": [` + "\n" + `        "DECISION_VISIBILITY_CONTENT_DISABLED"`, `"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"`,
			`"territorial_scope": [` + "\n" + `        "DE"`, `"application_date": "2026-03-03"`, `"puid": "` + court + `-item-1"`,
			`"category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"`, `"source_type": "SOURCE_TYPE_OTHER_NOTIFICATION"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("statements: no %s in %d %s", want, status, b)
			}
		}
		if status, b := e.do("GET", "/api/v1/requests/"+court+"/lumen", e.staff, nil); status != 200 || !strings.Contains(string(b), `"type": "CourtOrder"`) {
			t.Errorf("lumen of a court order: %d %s", status, b)
		}
		post(court, e.staff, "/close", `{"note": "restricted in Germany"}`, 200)

		// A third demand, under a non-disclosure order to the end of June.
		secret := strings.Replace(strings.Replace(hkContent, `"reason": "defamation",`, `"reason": "defamation", "nondisclosure": {"until": "2026-06-30"},`, 1),
			"HCA-2026-77", "HCA-2026-SEALED", 1)
		status, m = e.submit(e.hk, secret)
		if status != 201 {
			t.Fatalf("submit sealed: %d %v", status, m)
		}
		sealed := m["id"].(string)
		post(sealed, e.staff, "/items/actions", `{"items": [0, 1], "action": "content_not_found", "reason": "no such posts"}`, 200)
		post(sealed, e.staff, "/close", `{"note": "nothing found"}`, 200)

		archive := func(query string) string {
			t.Helper()
			status, b := e.do("GET", "/transparency/demands"+query, "", nil)
			if status != 200 {
				t.Fatalf("archive %s: %d %s", query, status, b)
			}
			return string(b)
		}
		if p := archive(""); !strings.Contains(p, `href="/api/v1/audit/checkpoint">#`) {
			t.Errorf("before a checkpoint covers its entries, an item links the checkpoint")
		}
		if status, b := e.do("GET", "/api/v1/audit/checkpoint", "", nil); status != 200 {
			t.Fatalf("checkpoint: %d %s", status, b)
		}
		page := archive("")
		for _, want := range []string{id, court, "National Security", "Hong Kong Police Force", "political criticism; protected speech",
			"https://video.example/watch?v=a1", "[quote redacted]", "/api/v1/audit/proof/inclusion?index="} {
			if !strings.Contains(page, want) {
				t.Errorf("archive lacks %q", want)
			}
		}
		for _, leak := range []string{"the government lied", "chan@example.hk", "5555 0100", "HCA-2026-SEALED", "a corrupt official"} {
			if strings.Contains(page, leak) {
				t.Errorf("archive shows %q", leak)
			}
		}
		if p := archive("?jurisdiction=DE"); !strings.Contains(p, court) || strings.Contains(p, id) {
			t.Errorf("archive by jurisdiction DE:\n%s", p)
		}
		if p := archive("?reason=national_security&q=police+force"); !strings.Contains(p, id) || strings.Contains(p, court) {
			t.Errorf("archive by reason and text:\n%s", p)
		}
		if p := archive("?q=lied"); strings.Contains(p, id) {
			t.Errorf("a search finds a demand by its withheld quote")
		}
		if status, b := e.do("GET", "/transparency/demands?reason=treason", "", nil); status != 400 || !strings.Contains(string(b), "reason") {
			t.Errorf("unknown reason: %d %s", status, b)
		}
		now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		if p := archive(""); !strings.Contains(p, "HCA-2026-SEALED") {
			t.Errorf("the demand whose non-disclosure order ended is not in the archive")
		}
		if p := archive("?page=2"); strings.Contains(p, "HCA-2026") || !strings.Contains(p, `rel="prev"`) {
			t.Errorf("page 2:\n%s", p)
		}
	})
}

// TestCloseContentDemand: from in_review only a content demand whose
// items all have an action in effect is closed; a data request in review
// is not.
func TestCloseContentDemand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		inReview := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)
		_, m := e.submit(e.hk, inReview)
		id := fmt.Sprint(m["id"])
		if status, b := e.do("POST", "/api/v1/requests/"+id+"/close", e.staff, strings.NewReader(`{"note": "done"}`)); status != 409 || !strings.Contains(string(b), "content demand") {
			t.Errorf("closing a data request in review: %d %s", status, b)
		}
	})
}

// TestArchiveRateLimited: the public archive is limited per address, as
// API callers are per token: of many calls at once from one address, no
// more than the burst are answered.
func TestArchiveRateLimited(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newEnvLimited(t, db, web.Limits{PerCaller: 0.01, Burst: 5})
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			status, _ := e.do("GET", "/transparency/demands", "", nil)
			mu.Lock()
			codes[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 5 || codes[429] != 15 {
		t.Errorf("20 calls at once with a burst of 5: %v, want 5 answered and 15 refused 429", codes)
	}
}
