package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// objectionBody is an enforcing authority's ground for refusal.
const objectionBody = `{"grounds": "The data are covered by a journalist's privilege under Irish law.", "received_at": "2026-11-21T09:00:00Z"}`

// postJSON posts body as staff and decodes the answer.
func (e *env) postJSON(path, body string) (int, map[string]any) {
	e.t.Helper()
	status, b := e.do("POST", path, e.staff, strings.NewReader(body))
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("%s: %d %s", path, status, b)
	}
	return status, m
}

func TestEPOCObjectionStopsRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		received := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return received }
		defer func() { db.Now = time.Now }()
		id := e.approve(e.de, deEPOC, approveAll)
		if status, m := e.post("/api/v1/requests/"+id+"/files?category=metadata&name=metadata.csv", e.staff, "account,at\nkontoinhaber,2026-11-01\n"); status != 201 {
			t.Fatalf("file: %d %v", status, m)
		}
		db.Now = func() time.Time { return received.Add(24 * time.Hour) }
		status, m := e.postJSON("/api/v1/requests/"+id+"/enforcing-objection", objectionBody)
		if status != 201 || m["after_disclosure"] != false || m["seq"] != float64(1) {
			t.Fatalf("objection: %d %v", status, m)
		}
		// The ten days pass; the objection still stops the release.
		db.Now = func() time.Time { return received.Add(dueprocess.EnforcingWait + time.Hour) }
		status, m = e.post("/api/v1/requests/"+id+"/release", e.approver, "")
		if status != 409 || !strings.Contains(fmt.Sprint(m), "objected") {
			t.Fatalf("release after an objection: %d %v, want 409 naming the objection", status, m)
		}
		if r, err := db.Request(ctx, id); err != nil || r.Status == dueprocess.StatusDisclosed {
			t.Fatalf("after the refused release: %v, %v", r, err)
		}
	})
}

func TestEPOCObjectionAfterDisclosureIsShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		received := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return received }
		defer func() { db.Now = time.Now }()
		id := e.approve(e.de, deEPOC, approveAll)
		if status, m := e.post("/api/v1/requests/"+id+"/files?category=metadata&name=metadata.csv", e.staff, "account,at\nkontoinhaber,2026-11-01\n"); status != 201 {
			t.Fatalf("file: %d %v", status, m)
		}
		db.Now = func() time.Time { return received.Add(dueprocess.EnforcingWait + time.Hour) }
		if status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, ""); status != 200 {
			t.Fatalf("release: %d %v", status, m)
		}
		body := `{"grounds": "late", "received_at": "2026-11-25T13:00:00Z"}`
		status, m := e.postJSON("/api/v1/requests/"+id+"/enforcing-objection", body)
		if status != 201 || m["after_disclosure"] != true {
			t.Fatalf("objection after the disclosure: %d %v, want after_disclosure", status, m)
		}
		events, err := db.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(events), "the data went before the objection") {
			t.Fatalf("events do not tell staff that the data went first: %v", events)
		}
	})
}

// TestEPOCObjectionAfterEmergencyDisclosure: in an emergency the data go
// at once; the enforcing authority's objection within its 96 hours is
// recorded after the fact, and the request says that the data went first.
func TestEPOCObjectionAfterEmergencyDisclosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		emergency := strings.NewReplacer(`"kind": "user_data"`, `"kind": "emergency"`,
			`"data_categories": ["subscriber", "metadata"]`, `"data_categories": ["subscriber", "location"], "emergency": {"harm": "death", "justification": "a kidnapping under way"}`).Replace(deEPOC)
		id := e.approve(e.de, emergency, approveAll)
		if status, m := e.post("/api/v1/requests/"+id+"/files?category=location&name=location.csv", e.staff, "account,at,cell\nkontoinhaber,2026-11-01,262-01-1234\n"); status != 201 {
			t.Fatalf("file: %d %v", status, m)
		}
		if status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, ""); status != 200 {
			t.Fatalf("emergency release: %d %v", status, m)
		}
		status, m := e.postJSON("/api/v1/requests/"+id+"/enforcing-objection", objectionBody)
		if status != 201 || m["after_disclosure"] != true {
			t.Fatalf("objection after the emergency disclosure: %d %v", status, m)
		}
		events, err := db.Events(ctx, id)
		if err != nil || !strings.Contains(fmt.Sprint(events), "the data went before the objection") {
			t.Fatalf("events do not tell staff that the data went first: %v, %v", events, err)
		}
	})
}

func TestEPOCObjectionOnlyForNotifiedEPOC(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, hk := e.submit(e.hk, hkRequest)
		notNotified := strings.Replace(deEPOC, `"notified": true`, `"notified": false`, 1)
		_, de := e.submit(e.de, notNotified)
		for _, c := range []struct{ id, want string }{{hk["id"].(string), "epoc"}, {de["id"].(string), "notified"}} {
			status, m := e.postJSON("/api/v1/requests/"+c.id+"/enforcing-objection", objectionBody)
			if status != 409 || !strings.Contains(fmt.Sprint(m), c.want) {
				t.Errorf("objection to %s: %d %v, want 409 naming %s", c.id, status, m, c.want)
			}
		}
		_, ok := e.submit(e.de, deEPOC)
		for body, field := range map[string]string{
			`{"grounds": "", "received_at": "2026-11-21T09:00:00Z"}`: "grounds",
			`{"grounds": "x"}`: "received_at",
			`{"grounds": "x", "received_at": "yesterday"}`:            "received_at",
			`{"grounds": "x", "received_at": "2999-01-01T00:00:00Z"}`: "received_at",
		} {
			status, m := e.postJSON("/api/v1/requests/"+ok["id"].(string)+"/enforcing-objection", body)
			if f, _ := m["error"].(map[string]any); status != 400 || f["field"] != field {
				t.Errorf("%s: %d %v, want 400 naming %s", body, status, m, field)
			}
		}
	})
}
