package web_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// TestHoldRoutes works a preservation request's holds through the API:
// the platform's check, staff's listing (without the target for staff off
// the case), the official's one extension and an early release.
func TestHoldRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, preservationRequest)
		if status != 201 || m["status"] != "in_review" {
			t.Fatalf("intake: %d %v", status, m)
		}
		id := m["id"].(string)
		check := func(value string) (int, map[string]any) {
			t.Helper()
			status, b := e.do("GET", "/api/v1/holds/check?type=username&value="+value, e.platform, nil)
			var m map[string]any
			json.Unmarshal(b, &m)
			return status, m
		}
		if status, m := check("demosisto"); status != 200 || m["held"] != true || m["until"] == nil {
			t.Errorf("check of the held account: %d %v, want held with an end", status, m)
		}
		if status, m := check("nobody"); status != 200 || m["held"] != false || m["until"] != nil {
			t.Errorf("check of another account: %d %v, want not held", status, m)
		}

		for _, c := range []struct {
			path, token string
			status      int
			has         string
		}{
			{"/api/v1/holds/check?type=shoe&value=x", e.platform, 400, `"field": "type"`},
			{"/api/v1/holds/check?type=username", e.platform, 400, `"field": "value"`},
			{"/api/v1/holds/check?type=username&value=a&extra=1", e.platform, 400, `"field": "extra"`},
			{"/api/v1/holds?status=frozen", e.staff, 400, `"field": "status"`},
			{"/api/v1/holds?limit=0", e.staff, 400, `"field": "limit"`},
			{"/api/v1/holds?target=username", e.staff, 400, `"field": "target"`},
			{"/api/v1/holds?target=shoe:42", e.staff, 400, `"field": "target"`},
			{"/api/v1/holds?color=red", e.staff, 400, `"field": "color"`},
			// Off the case: the hold is listed, its target's value withheld.
			{"/api/v1/holds?request=" + id, e.staff, 200, `"withheld": "the target is shown only to staff assigned`},
			// And the target filter finds nothing outside one's cases.
			{"/api/v1/holds?target=username:demosisto", e.staff, 200, `"holds": []`},
			{"/api/v1/holds?target=username:demosisto", e.admin, 200, `"value": "demosisto"`},
			{"/api/v1/holds?status=active", e.admin, 200, `"status": "active"`},
		} {
			status, b := e.do("GET", c.path, c.token, nil)
			if status != c.status || !strings.Contains(string(b), c.has) {
				t.Errorf("GET %s: %d %.300s, want %d with %s", c.path, status, b, c.status, c.has)
			}
			if c.token == e.staff && strings.Contains(string(b), "demosisto") {
				t.Errorf("GET %s shows the target to staff off the case: %.300s", c.path, b)
			}
		}

		for _, c := range []struct {
			path, token, body string
			status            int
			has               string
		}{
			{"/api/v1/requests/" + id + "/extend", e.de, `{}`, 404, "not found"},
			{"/api/v1/requests/" + id + "/extend", e.hk, `{"days": 30}`, 400, `"field": "days"`},
			{"/api/v1/requests/" + id + "/extend", e.hk, ``, 200, `"status": "extended"`},
			{"/api/v1/requests/" + id + "/extend", e.hk, `{}`, 409, "extended only once"},
		} {
			status, b := e.do("POST", c.path, c.token, strings.NewReader(c.body))
			if status != c.status || !strings.Contains(string(b), c.has) {
				t.Errorf("POST %s %s: %d %.300s, want %d with %s", c.path, c.body, status, b, c.status, c.has)
			}
		}

		// Without a body, no Content-Type is needed: the call is made, and
		// refused as a second extension.
		if status, b := e.do("POST", "/api/v1/requests/"+id+"/extend", e.hk, nil); status != 409 {
			t.Errorf("POST extend without a body: %d %s, want 409", status, b)
		}
		held, err := db.Holds(ctx, dueprocess.HoldFilter{RequestID: id})
		if err != nil || len(held) != 1 {
			t.Fatalf("holds: %v %v", held, err)
		}
		release := "/api/v1/holds/" + held[0].ID + "/release"
		for _, c := range []struct {
			path, body string
			status     int
			has        string
		}{
			{release, `{}`, 400, `"field": "reason"`},
			{"/api/v1/holds/hd_missing/release", `{"reason": "r"}`, 404, "not found"},
			{release, `{"reason": "the agency withdrew it by phone"}`, 200, `"status": "released"`},
			{release, `{"reason": "again"}`, 409, "released already"},
		} {
			status, b := e.do("POST", c.path, e.approver, strings.NewReader(c.body))
			if status != c.status || !strings.Contains(string(b), c.has) {
				t.Errorf("POST %s %s: %d %.300s, want %d with %s", c.path, c.body, status, b, c.status, c.has)
			}
		}
		if status, m := check("demosisto"); status != 200 || m["held"] != false {
			t.Errorf("check after the release: %d %v, want not held", status, m)
		}
	})
}

// TestHoldCheckNotRateLimited: the platform's token checks at any rate,
// from many goroutines at once, while an agency's token is limited.
func TestHoldCheckNotRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvLimited(t, db, web.Limits{PerCaller: 1, Burst: 2})
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for range 20 {
			wg.Go(func() {
				for range 5 {
					status, _ := e.do("GET", "/api/v1/holds/check?type=username&value=alice", e.platform, nil)
					mu.Lock()
					codes[status]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if codes[200] != 100 {
			t.Errorf("platform checks: %v, want 100 answered 200", codes)
		}
		limited := false
		for range 5 {
			if status, _ := e.do("GET", "/api/v1/requests", e.staff, nil); status == 429 {
				limited = true
			}
		}
		if !limited {
			t.Error("a reviewer's five quick calls were all let through; the limit is not in force, so this test proves nothing")
		}
	})
}

// TestHoldsConsolePage shows the holds page to a reviewer off the case:
// the hold and its end are there, the target is not.
func TestHoldsConsolePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, preservationRequest)
		if status != 201 {
			t.Fatalf("intake: %d %v", status, m)
		}
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		b.signIn("rae@example.com", secret)
		status, _, page := b.get("/console/holds")
		end := b.now().Add(90 * 24 * time.Hour).Format("2006-01-02")
		if status != 200 || !strings.Contains(page, m["id"].(string)) || !strings.Contains(page, end) || strings.Contains(page, "demosisto") {
			t.Errorf("holds page: %d, want the hold of %s ending %s without its target:\n%.2000s", status, m["id"], end, page)
		}
		if status, _, page := b.get("/console/holds?request=DP-2099-000001"); status != 200 || strings.Contains(page, m["id"].(string)+"</a></td>") {
			t.Errorf("holds of another request: %d, want none of %s:\n%.2000s", status, m["id"], page)
		}
		if status, _, _ := b.get("/console/holds?status=frozen"); status != 400 {
			t.Errorf("an unknown status: %d, want 400", status)
		}
	})
}
