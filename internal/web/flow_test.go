package web_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// narrowable submits a Hong Kong request with two targets, two categories
// and a two-month range, which a reviewer asks to narrow.
func narrowable(t *testing.T, e *env) string {
	t.Helper()
	body := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`,
		`[{"type": "username", "value": "demosisto"}]`, `[{"type": "username", "value": "demosisto"}, {"type": "email", "value": "press@example.org"}]`).Replace(hkRequest)
	status, m := e.submit(e.hk, body)
	if status != 201 || m["status"] != "in_review" {
		t.Fatalf("submit: %d %v", status, m)
	}
	id := m["id"].(string)
	if status, b := e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(`{"decision": "request_narrowing", "note": "name one account"}`)); status != 200 {
		t.Fatalf("review: %d %s", status, b)
	}
	return id
}

// TestReplyNarrows answers a request to narrow: a field that widens the
// request is refused naming it, and nothing changes; a narrowed request
// replaces what is asked, keeps the original, and returns to review.
func TestReplyNarrows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := narrowable(t, e)
		path := "/api/v1/requests/" + id + "/reply"
		for _, c := range []struct{ body, field string }{
			{`{"note": "n", "targets": [{"type": "username", "value": "someone-else"}]}`, "targets[0]"},
			{`{"note": "n", "targets": [{"type": "username", "value": "demosisto"}, {"type": "username", "value": "demosisto"}]}`, "targets[1]"},
			{`{"note": "n", "targets": []}`, "targets"},
			{`{"note": "n", "data_categories": ["subscriber", "content"]}`, "data_categories[1]"},
			{`{"note": "n", "date_range": {"from": "2025-12-01", "to": "2026-02-01"}}`, "date_range.from"},
			{`{"note": "n", "date_range": {"from": "2026-01-01", "to": "2026-04-01"}}`, "date_range.to"},
			{`{"targets": [{"type": "username", "value": "demosisto"}]}`, "note"},
		} {
			status, b := e.do("POST", path, e.hk, strings.NewReader(c.body))
			if status != 400 || !strings.Contains(string(b), `"field": "`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 400 naming %s", c.body, status, b, c.field)
			}
		}
		if status, m := e.request(e.admin, id); m["status"] != "narrowing_requested" || len(m["targets"].([]any)) != 2 {
			t.Errorf("after refused replies: %d %v, want it unchanged", status, m)
		}
		good := `{"note": "the one account, two weeks, subscriber records only", "targets": [{"type": "username", "value": "demosisto"}],
			"data_categories": ["subscriber"], "date_range": {"from": "2026-02-01", "to": "2026-02-14"}}`
		if status, _ := e.do("POST", path, e.de, strings.NewReader(good)); status != 404 {
			t.Errorf("another agency's reply: %d, want 404", status)
		}
		if status, _ := e.do("POST", path, e.staff, strings.NewReader(good)); status != 403 {
			t.Errorf("a reviewer's reply: %d, want 403", status)
		}
		status, b := e.do("POST", path, e.hk, strings.NewReader(good))
		if status != 200 {
			t.Fatalf("reply: %d %s", status, b)
		}
		var got struct {
			Narrowing dueprocess.Narrowing
			Request   dueprocess.Request
		}
		json.Unmarshal(b, &got)
		if want := []string{"targets", "data_categories", "date_range"}; !reflect.DeepEqual(got.Narrowing.Changed, want) {
			t.Errorf("changed = %v, want %v", got.Narrowing.Changed, want)
		}
		r := got.Request
		if r.Status != dueprocess.StatusInReview || len(r.Targets) != 1 || !reflect.DeepEqual(r.DataCategories, []dueprocess.DataCategory{"subscriber"}) ||
			r.DateRange.From.String() != "2026-02-01" || r.DateRange.To.String() != "2026-02-14" {
			t.Errorf("narrowed request = %+v", r)
		}
		if _, ok := r.Decision.Categories[dueprocess.CategoryIPLogs]; ok {
			t.Errorf("the decision still judges ip_logs, which is no longer asked for: %v", r.Decision.Categories)
		}
		kept, err := db.Narrowings(ctx, id)
		if err != nil || len(kept) != 1 || len(kept[0].Before.Targets) != 2 || len(kept[0].Before.DataCategories) != 2 || kept[0].Before.DateRange.From.String() != "2026-01-01" {
			t.Errorf("the original is not kept: %+v %v", kept, err)
		}
		_, datas, err := db.AuditLog().ObjectEntries(ctx, "request:"+id)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range datas {
			en, _ := audit.Decode(d)
			if en.Action == dueprocess.ActionRequestNarrowed {
				found = true
				if !strings.Contains(string(en.Body), `"before":{"data_categories":["subscriber","ip_logs"]`) || strings.Contains(string(en.Body), "press@example.org") {
					t.Errorf("request.narrowed body = %s, want the original's shape and no target", en.Body)
				}
			}
		}
		if !found {
			t.Error("no request.narrowed entry")
		}
		if status, _ := e.do("POST", path, e.hk, strings.NewReader(good)); status != 409 {
			t.Errorf("a second reply: %d, want 409", status)
		}
		kc, _ := db.ReportCounts(ctx, "")
		rc, _ := db.RecountReport(ctx, "")
		if !reflect.DeepEqual(kc, rc) {
			t.Errorf("kept counts differ from a recount after narrowing:\nkept    %v\nrecount %v", kc, rc)
		}
	})
}

// TestReplyWithNoteOnly returns a request to review with the note alone,
// changing nothing it asks for.
func TestReplyWithNoteOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := narrowable(t, e)
		status, b := e.do("POST", "/api/v1/requests/"+id+"/reply", e.hk, strings.NewReader(`{"note": "both accounts are named in the court order"}`))
		if status != 200 || !strings.Contains(string(b), `"status": "in_review"`) || !strings.Contains(string(b), `"changed": []`) {
			t.Errorf("reply: %d %s", status, b)
		}
		if _, m := e.request(e.admin, id); len(m["targets"].([]any)) != 2 {
			t.Errorf("targets = %v, want both", m["targets"])
		}
	})
}

// TestClose closes finished requests only, with a note, and names the
// moves allowed otherwise.
func TestClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest))
		if status != 201 {
			t.Fatal(m)
		}
		id := m["id"].(string)
		path := "/api/v1/requests/" + id + "/close"
		if status, b := e.do("POST", path, e.staff, strings.NewReader(`{"note": "done"}`)); status != 409 || !strings.Contains(string(b), "from in_review it can become") {
			t.Errorf("close in review: %d %s, want 409 naming the moves allowed", status, b)
		}
		e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(`{"decision": "reject", "note": "no offence recognised"}`))
		if status, b := e.do("POST", path, e.staff, strings.NewReader(`{"note": " "}`)); status != 400 || !strings.Contains(string(b), `"field": "note"`) {
			t.Errorf("close without a note: %d %s", status, b)
		}
		if status, b := e.do("POST", path, e.approver, strings.NewReader(`{"note": "the agency was told"}`)); status != 200 || !strings.Contains(string(b), `"status": "closed"`) {
			t.Errorf("close: %d %s", status, b)
		}
		status, b := e.do("GET", "/api/v1/requests/"+id+"/events", e.hk, nil)
		if status != 200 || !strings.Contains(string(b), "closed: the agency was told") {
			t.Errorf("events: %d %s, want the note in the history", status, b)
		}
	})
}

// TestReplyConcurrent: of many replies sent at once to one request to
// narrow, exactly one is taken; the others find it in review already.
func TestReplyConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := narrowable(t, e)
		const n = 20
		codes := make(chan int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := `{"note": "reply ` + strconv.Itoa(i) + `", "targets": [{"type": "username", "value": "demosisto"}]}`
				status, _ := e.do("POST", "/api/v1/requests/"+id+"/reply", e.hk, strings.NewReader(body))
				codes <- status
			}()
		}
		wg.Wait()
		close(codes)
		got := map[int]int{}
		for c := range codes {
			got[c]++
		}
		if got[200] != 1 || got[409] != n-1 {
			t.Errorf("answers %v, want one 200 and %d 409", got, n-1)
		}
		kept, err := db.Narrowings(ctx, id)
		if err != nil || len(kept) != 1 {
			t.Errorf("%d narrowings kept (%v), want 1", len(kept), err)
		}
		if _, m := e.request(e.admin, id); len(m["targets"].([]any)) != 1 {
			t.Errorf("targets = %v, want the one kept", m["targets"])
		}
		kc, _ := db.ReportCounts(ctx, "")
		rc, _ := db.RecountReport(ctx, "")
		if !reflect.DeepEqual(kc, rc) {
			t.Errorf("kept counts differ from a recount:\nkept    %v\nrecount %v", kc, rc)
		}
	})
}
