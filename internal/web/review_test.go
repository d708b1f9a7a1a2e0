package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestFourEyesOverAPI: a reviewer who also holds the approver role may
// propose an approval but never confirm it; a second person must.
func TestFourEyesOverAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var both string
		err := db.Transact(ctx, func(tx *store.Tx) error {
			s := &dueprocess.Staff{Email: "both@example.com", Name: "Both", Roles: []dueprocess.Role{dueprocess.RoleReviewer, dueprocess.RoleApprover}}
			if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
				return err
			}
			var err error
			both, err = auth.IssueToken(ctx, tx, &dueprocess.Token{StaffID: s.ID}, dueprocess.System)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// A fraud case under a court order: the policy sends it to review
		// with subscriber records and IP logs allowed.
		body := strings.Replace(with("offence", map[string]string{"category": "fraud"}), `"subpoena"`, `"court_order"`, 1)
		_, m := e.submit(e.hk, body)
		id := m["id"].(string)
		if m["status"] != "in_review" {
			t.Fatalf("status %v, want in_review: %v", m["status"], m["decision"])
		}
		post := func(path, token, body string) (int, map[string]any) {
			status, b := e.do("POST", "/api/v1/requests/"+id+path, token, strings.NewReader(body))
			var out map[string]any
			json.Unmarshal(b, &out)
			return status, out
		}
		if status, out := post("/review", e.approver, `{"decision": "approve", "note": "x"}`); status != 403 {
			t.Errorf("an approver without the reviewer role proposing: %d %v", status, out)
		}
		if status, out := post("/review", both, `{"decision": "approve", "categories": ["subscriber"], "note": "x"}`); status != 400 {
			t.Errorf("approve naming fewer categories than allowed: %d %v, want 400", status, out)
		}
		if status, out := post("/review", both, `{"decision": "approve", "note": "Subscriber records and IP logs, as the court order allows."}`); status != 200 {
			t.Fatalf("proposal: %d %v", status, out)
		}
		status, out := post("/approve", both, `{"note": "looks right"}`)
		_, _, msg := errorOf(out)
		if status != 403 || !strings.Contains(msg, "four eyes") || !strings.Contains(msg, "different staff member") {
			t.Errorf("the proposer approving: %d %q, want 403 saying why", status, msg)
		}
		status, out = post("/approve", e.approver, `{"note": "checked the order and the agency"}`)
		req, _ := out["request"].(map[string]any)
		if status != 200 || req["status"] != "approved" {
			t.Fatalf("approval by a second person: %d %v", status, out)
		}
		if status, out := post("/approve", e.approver, `{"note": "again"}`); status != 409 {
			t.Errorf("approving twice: %d %v, want 409", status, out)
		}
	})
}

func TestQueueDueBy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, with("offence", map[string]string{"category": "fraud"})) // deadline 2026-04-01
		id := m["id"].(string)
		for _, tc := range []struct {
			q    string
			want bool
		}{{"due_by=2026-03-31", false}, {"due_by=2026-04-01", true}, {"due_by=2027-01-01", true}} {
			status, b := e.do("GET", "/api/v1/requests?"+tc.q, e.staff, nil)
			if status != 200 || strings.Contains(string(b), id) != tc.want {
				t.Errorf("%s: %d, listed %v, want %v", tc.q, status, strings.Contains(string(b), id), tc.want)
			}
		}
		if status, _ := e.do("GET", "/api/v1/requests?due_by=April", e.staff, nil); status != 400 {
			t.Errorf("a bad date: %d, want 400", status)
		}
		// A finished request is not due.
		e.do("POST", "/api/v1/requests/"+id+"/withdraw", e.hk, strings.NewReader(`{"reason": "closed"}`))
		if _, b := e.do("GET", "/api/v1/requests?due_by=2027-01-01", e.staff, nil); strings.Contains(string(b), id) {
			t.Errorf("a withdrawn request is listed as due")
		}
	})
}
