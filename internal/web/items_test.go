package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// hkContent is a content demand from the Hong Kong police on grounds of
// defamation, which the default policy sends to review.
const hkContent = `{"kind": "content_restriction", "jurisdiction": "HK",
 "legal_process": {"type": "court_order", "reference": "HCA-2026-77", "issued_by": "High Court of Hong Kong"},
 "requester_type": "police", "reason": "defamation",
 "items": [{"url": "https://video.example/watch?v=a1", "ground": "Defamation Ordinance (Cap. 21)", "quote": "a corrupt official"},
           {"id": "post:9001", "ground": "Defamation Ordinance (Cap. 21)"}]}`

// contentWith returns hkContent with n items and reason.
func contentWith(n int, reason string, pad int) string {
	var m map[string]any
	json.Unmarshal([]byte(hkContent), &m)
	items := make([]map[string]string, n)
	for i := range items {
		items[i] = map[string]string{"url": fmt.Sprintf("https://video.example/watch?v=%d", i), "ground": "NSL art. 23",
			"quote": strings.Repeat("q", pad)}
	}
	m["items"], m["reason"] = items, reason
	b, _ := json.Marshal(m)
	return string(b)
}

// TestContentBodyLimit: a content demand may be larger than other
// requests, up to its own limit; a body just over either limit is refused
// 413 with nothing stored.
func TestContentBodyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// 10,000 items of about 1.1 kB, padded with white space (which
		// JSON allows after the value) to one byte over the limit.
		full := contentWith(dueprocess.MaxItems, "defamation", 1000)
		big := full + strings.Repeat(" ", dueprocess.MaxContentRequestBody+1-len(full))
		before := e.counts()
		if status, m := e.submit(e.hk, big); status != 413 {
			t.Errorf("a content demand of %d bytes: %d %v, want 413", len(big), status, m)
		}
		if after := e.counts(); after != before {
			t.Errorf("a refused body stored something: %s, then %s", before, after)
		}
		// Exactly at the limit: taken in.
		if status, m := e.submit(e.hk, big[:len(big)-1]); status != 201 {
			t.Errorf("a content demand of exactly %d bytes: %d %v, want 201", len(big)-1, status, m)
		}
		// Ten thousand items, over 1 MiB: taken in.
		many := contentWith(dueprocess.MaxItems, "defamation", 60)
		if len(many) <= dueprocess.MaxRequestBody {
			t.Fatalf("the test body is %d bytes, not over 1 MiB", len(many))
		}
		status, m := e.submit(e.hk, many)
		if status != 201 {
			t.Fatalf("a content demand of %d items (%d bytes): %d %v", dueprocess.MaxItems, len(many), status, m)
		}
		if items, _ := m["items"].([]any); len(items) != dueprocess.MaxItems {
			t.Errorf("answered with %d items", len(items))
		}
		// Another kind just over 1 MiB: refused before it is decoded.
		other := hkRequest + strings.Repeat(" ", dueprocess.MaxRequestBody+1-len(hkRequest))
		if status, m := e.submit(e.hk, other); status != 413 || !strings.Contains(fmt.Sprint(m), "content_restriction") {
			t.Errorf("a user_data request of 1 MiB and a byte: %d %v, want 413 naming the larger limit's kind", status, m)
		}
		if status, m := e.submit(e.hk, other[:len(other)-1]); status != 201 {
			t.Errorf("a user_data request of exactly 1 MiB: %d %v, want 201", status, m)
		}
		if status, m := e.submit(e.hk, strings.Replace(hkContent, `"url": "https://video.example/watch?v=a1"`, `"url": "ftp://x"`, 1)); status != 400 || fieldOf(m) != "items[0].url" {
			t.Errorf("a bad item: %d %v", status, m)
		}
	})
}

func fieldOf(m map[string]any) string {
	_, field, _ := errorOf(m)
	return field
}

// TestItemActionsAPI walks a demand through the API: no action at once, a
// restriction proposed and confirmed by a second person, the policy's
// refusal to restrict criticism, and the platform's poll.
func TestItemActionsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, hkContent)
		if status != 201 || m["status"] != "in_review" || m["reason"] != "defamation" || m["requester_type"] != "police" {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		act := func(token, path, body string) (int, string) {
			status, b := e.do("POST", "/api/v1/requests/"+id+"/items/"+path, token, strings.NewReader(body))
			return status, string(b)
		}
		if st, b := act(e.staff, "actions", `{"items": [1], "action": "not_enough_information", "reason": "no such post id"}`); st != 200 || !strings.Contains(b, `"action": "not_enough_information"`) {
			t.Errorf("not enough information: %d %s", st, b)
		}
		if st, b := act(e.staff, "actions", `{"items": [0], "action": "restrict_in_jurisdiction", "reason": "the court found it defamatory"}`); st != 200 || !strings.Contains(b, `"proposed"`) {
			t.Errorf("propose: %d %s", st, b)
		}
		if st, b := act(e.staff, "actions", `{"items": [7], "action": "no_action", "reason": "x"}`); st != 400 || !strings.Contains(b, `"items[0]"`) {
			t.Errorf("an index out of range: %d %s", st, b)
		}
		if st, b := act(e.approver, "confirm", `{"items": [0], "note": "read the judgment"}`); st != 200 || !strings.Contains(b, `"action": "restrict_in_jurisdiction"`) {
			t.Errorf("confirm: %d %s", st, b)
		}
		st, b := e.do("GET", "/api/v1/actions?since=0", e.platform, nil)
		var page struct {
			Next    int64
			Actions []dueprocess.AppliedAction
		}
		json.Unmarshal(b, &page)
		if st != 200 || len(page.Actions) != 2 || page.Actions[1].Action != dueprocess.ItemRestrict || page.Actions[1].URL != "https://video.example/watch?v=a1" {
			t.Fatalf("poll: %d %s", st, b)
		}
		if st, b := e.do("GET", fmt.Sprintf("/api/v1/actions?since=%d", page.Next), e.platform, nil); st != 200 || strings.Contains(string(b), "seq") {
			t.Errorf("poll after the end: %d %s", st, b)
		}
		if st, _ := e.do("GET", "/api/v1/actions?since=-1", e.platform, nil); st != 400 {
			t.Errorf("a bad cursor: %d", st)
		}
		if st, _ := e.do("GET", "/api/v1/actions?since=0", e.admin, nil); st != 403 {
			t.Errorf("an admin polling: %d, want 403: only the platform applies actions", st)
		}

		// Criticism of the government is never restricted.
		status, m = e.submit(e.hk, contentWith(2, "government_criticism", 0))
		if status != 201 {
			t.Fatalf("submit: %d %v", status, m)
		}
		id = m["id"].(string)
		if st, b := act(e.staff, "actions", `{"items": [0, 1], "action": "remove_globally_under_policy", "reason": "x"}`); st != 409 || !strings.Contains(b, "content.never_restrict") {
			t.Errorf("restricting criticism: %d %s", st, b)
		}
		if st, b := act(e.staff, "actions", `{"items": [0, 1], "action": "no_action", "reason": "criticism of officials is protected speech"}`); st != 200 {
			t.Errorf("no action on criticism: %d %s", st, b)
		}

		// National security grounds escalate.
		if status, m := e.submit(e.hk, contentWith(1, "national_security", 0)); status != 201 || m["status"] != "escalated" {
			t.Errorf("a national-security demand: %d %v", status, m["status"])
		}
	})
}

// TestConsoleItems acts on items with the request page's checkboxes: a
// reviewer proposes a restriction of two items and records no action on
// none; she cannot confirm her own proposal; a second person does.
func TestConsoleItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, contentWith(3, "defamation", 0))
		id := m["id"].(string)

		rae := newBrowser(t, db)
		_, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
		rae.signIn("rae@example.com", raeSecret)
		csrf := rae.form("/console/requests/" + id)
		_, _, page := rae.get("/console/requests/" + id)
		if !strings.Contains(page, `name="items" value="2"`) || !strings.Contains(page, "restrict_in_jurisdiction") {
			t.Fatalf("the page has no item checkboxes:\n%.3000s", page)
		}
		form := url.Values{"csrf": {csrf}, "items": {"0", "2"}, "action": {"restrict_in_jurisdiction"}, "reason": {"defamatory, as the court found"}}
		if status, _, _ := rae.post("/console/requests/"+id+"/items", form); status != 303 {
			t.Fatalf("proposal: %d", status)
		}
		if status, _, _ := rae.post("/console/requests/"+id+"/items", url.Values{"csrf": {csrf}, "items": {"1"}, "action": {"no_action"}, "reason": {"lawful"}}); status != 303 {
			t.Fatalf("no action: %d", status)
		}
		status, _, page := rae.post("/console/requests/"+id+"/items/confirm", url.Values{"csrf": {csrf}, "items": {"0", "2"}, "note": {"mine"}})
		if status != 403 || !strings.Contains(page, "four eyes") {
			t.Errorf("confirming her own proposal: %d", status)
		}
		ann := newBrowser(t, db)
		_, annSecret := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		ann.signIn("ann@example.com", annSecret)
		csrf = ann.form("/console/requests/" + id)
		if status, _, _ := ann.post("/console/requests/"+id+"/items/confirm", url.Values{"csrf": {csrf}, "items": {"0", "2"}, "note": {"checked"}}); status != 303 {
			t.Fatalf("confirmation: %d", status)
		}
		got, err := db.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Items[0].Action != dueprocess.ItemRestrict || got.Items[1].Action != dueprocess.ItemNoAction || got.Items[2].Action != dueprocess.ItemRestrict {
			t.Errorf("items after the console: %+v", got.Items)
		}
	})
}
