package web_test

import (
	"bytes"
	"encoding/json"
	"reflect"
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

// TestWriteAnswersHideTargetsFromUnassignedStaff: the answers of the
// review, approve and human-rights routes carry the request as the
// caller may see it. Staff not on the case get it without targets and
// documents, exactly as their GET of it would give it; staff on the case
// get it whole.
func TestWriteAnswersHideTargetsFromUnassignedStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		inReview := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)
		submit := func(body, status string) string {
			t.Helper()
			code, m := e.submit(e.hk, body)
			if code != 201 || m["status"] != status {
				t.Fatalf("submit: %d, status %v, want 201 and %s", code, m["status"], status)
			}
			id := m["id"].(string)
			if code, b := e.do("POST", "/api/v1/requests/"+id+"/documents", e.hk, bytes.NewReader(pdf(2000)), "Content-Type", "application/pdf"); code != 201 {
				t.Fatalf("document: %d %s", code, b)
			}
			return id
		}
		// write posts body to a write route of request id as token, and
		// returns the request of its answer next to what a GET by the
		// same caller answers right after.
		write := func(id, route, token, body string) (answered, read map[string]any) {
			t.Helper()
			status, b := e.do("POST", "/api/v1/requests/"+id+route, token, strings.NewReader(body))
			var out struct{ Request map[string]any }
			if err := json.Unmarshal(b, &out); status != 200 || err != nil {
				t.Fatalf("%s: %d %s", route, status, b)
			}
			_, read = e.request(token, id)
			return out.Request, read
		}
		hidden := func(what string, answered, read map[string]any) {
			t.Helper()
			if answered["withheld"] != dueprocess.CaseBound || len(answered["targets"].([]any)) != 0 || len(answered["documents"].([]any)) != 0 {
				t.Errorf("%s by staff off the case answered targets %v, documents %v, withheld %q; want none, and why",
					what, answered["targets"], answered["documents"], answered["withheld"])
			}
			if !reflect.DeepEqual(answered, read) {
				t.Errorf("%s answered a request other than the caller's GET of it:\n answer %v\n GET    %v", what, answered, read)
			}
		}

		proposal := `{"decision": "approve", "note": "Subscriber records and IP logs, as the court order allows."}`
		id := submit(inReview, "in_review")
		answered, read := write(id, "/review", e.staff, proposal)
		hidden("review", answered, read)
		answered, read = write(id, "/approve", e.approver, `{"note": "checked the order and the agency"}`)
		hidden("approve", answered, read)

		escalated := submit(hkRequest, "escalated")
		answered, read = write(escalated, "/human-rights", e.humanRights, `{"conclusion": "proceed",
			"legality": "a court order under the ordinance", "necessity": "the account is named in the order",
			"proportionality": "two months of subscriber records"}`)
		hidden("human-rights", answered, read)

		// On the case, the same answer is whole.
		onCase := submit(inReview, "in_review")
		e.assign(onCase, e.staff)
		answered, read = write(onCase, "/review", e.staff, proposal)
		if answered["withheld"] != nil || len(answered["targets"].([]any)) != 1 || len(answered["documents"].([]any)) != 1 || !reflect.DeepEqual(answered, read) {
			t.Errorf("review by staff on the case: answered %v; want its target and document, as its GET gives them: %v", answered, read)
		}
	})
}
