package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestRemovalsCSVHongKong enters, through the API, demands like those
// Google counted from Hong Kong in the first half of 2020, acts on their
// items, and checks that /transparency/2020-H1-removals.csv gives Google's
// own two lines for them: government officials, 2 requests, 10 items, all
// removed for legal reasons; police, 10 requests, 106 items, 1% removed
// under policy, 1% not found, 8% without enough information, 91% no
// action.
func TestRemovalsCSVHongKong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2020, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		e := newEnv(t, db)
		submit := func(requester, reason string, items int) string {
			t.Helper()
			status, m := e.submit(e.hk, strings.Replace(strings.Replace(contentWith(items, reason, 0), `"police"`, `"`+requester+`"`, 1), "HCA-2026-77", fmt.Sprint("HK-", now.UnixNano()), 1))
			if status != 201 || m["status"] != "in_review" {
				t.Fatalf("submit: %d %v", status, m)
			}
			return m["id"].(string)
		}
		act := func(token, id, path string, body any) {
			t.Helper()
			b, _ := json.Marshal(body)
			if status, out := e.do("POST", "/api/v1/requests/"+id+"/items/"+path, token, strings.NewReader(string(b))); status != 200 {
				t.Fatalf("%s on %s: %d %s", path, id, status, out)
			}
		}
		upto := func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		}
		for range 2 {
			id := submit("government_officials", "copyright", 5)
			act(e.staff, id, "actions", map[string]any{"items": upto(5), "action": "restrict_in_jurisdiction", "reason": "court judgment"})
			act(e.approver, id, "confirm", map[string]any{"items": upto(5), "note": "checked"})
		}
		// Ten police demands, 106 items: the first carries 16.
		first := submit("police", "privacy_and_security", 16)
		act(e.staff, first, "actions", map[string]any{"items": []int{0}, "action": "remove_globally_under_policy", "reason": "doxxing"})
		act(e.approver, first, "confirm", map[string]any{"items": []int{0}, "note": "breaks our rules"})
		act(e.staff, first, "actions", map[string]any{"items": []int{1}, "action": "content_not_found", "reason": "gone"})
		act(e.staff, first, "actions", map[string]any{"items": []int{2, 3, 4, 5, 6, 7, 8, 9}, "action": "not_enough_information", "reason": "no URL"})
		act(e.staff, first, "actions", map[string]any{"items": []int{10, 11, 12, 13, 14, 15}, "action": "no_action", "reason": "lawful speech"})
		// The reasons of Google's detailed lines for Hong Kong, 2020-H1.
		for _, reason := range []string{"privacy_and_security", "fraud", "fraud", "fraud", "bullying_harassment",
			"government_criticism", "government_criticism", "hate_speech", "impersonation"} {
			act(e.staff, submit("police", reason, 10), "actions", map[string]any{"items": upto(10), "action": "no_action", "reason": "lawful speech"})
		}
		// A demand of the next half-year is not counted.
		now = time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC)
		submit("police", "privacy_and_security", 3)

		status, b := e.do("GET", "/transparency/2020-H1-removals.csv", "", nil)
		want := report.RemovalsHeader + "\n" +
			"2020-06-30,Hong Kong,HK,Government Officials,2,10,100,,,,,\n" +
			"2020-06-30,Hong Kong,HK,Police,10,106,,1,1,8,91,\n"
		if status != 200 || string(b) != want {
			t.Errorf("removals CSV: %d\n%s\nwant\n%s", status, b, want)
		}
		if status, _ := e.do("GET", "/transparency/2020-H3-removals.csv", "", nil); status != 404 {
			t.Errorf("a bad period: %d", status)
		}

		// Google's detailed lines: the same 12 requests by reason.
		status, b = e.do("GET", "/transparency/2020-H1-removals-detailed.csv", "", nil)
		want = report.RemovalsDetailedHeader + "\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Bullying/Harassment,1\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Copyright,2\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Fraud,3\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Government Criticism,2\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Hate Speech,1\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Impersonation,1\n" +
			"2020-06-30,Hong Kong,HK,Unspecified,Privacy and Security,2\n"
		if status != 200 || string(b) != want {
			t.Errorf("detailed removals CSV: %d\n%s\nwant\n%s", status, b, want)
		}
		if status, _ := e.do("GET", "/transparency/2020-H3-removals-detailed.csv", "", nil); status != 404 {
			t.Errorf("a bad period, detailed: %d", status)
		}

		// The public page shows them by requester and by reason, with
		// their chart beside the user-data requests'.
		status, page := e.do("GET", "/transparency?period=2020-H1", "", nil)
		for _, line := range []string{
			"<tr><td>Government Officials</td><td>2</td><td>10</td>\n    <td>100</td><td></td><td></td><td></td><td></td><td></td></tr>",
			"<tr><td>Police</td><td>10</td><td>106</td>\n    <td></td><td>1</td><td>1</td><td>8</td><td>91</td><td></td></tr>",
			"<tr><td>Copyright</td><td>2</td><td>10</td><td>10</td></tr>",
			"<tr><td>Privacy and Security</td><td>2</td><td>26</td><td>1</td></tr>",
			"<tr><td>Government Criticism</td><td>2</td><td>20</td><td>0</td></tr>",
			"Content-restriction demands by requester, 2020-H1",
			"-removals-detailed.csv",
		} {
			if status != 200 || !strings.Contains(string(page), line) {
				t.Errorf("the page lacks %q:\n%s", line, page)
			}
		}
		if n := strings.Count(string(page), "<svg"); n != 3 || strings.Contains(string(page), "<script") {
			t.Errorf("the page has %d charts, want 3, or a script", n)
		}
	})
}

// TestContentWalkthrough follows docs/content.md's walkthrough: a Hong
// Kong police demand on grounds of national security is escalated,
// assessed, reviewed item by item with no action on criticism, polled by
// the platform and counted in the removals file.
func TestContentWalkthrough(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		e := newEnv(t, db)
		status, m := e.submit(e.hk, `{"kind": "content_restriction", "jurisdiction": "HK",
  "legal_process": {"type": "other", "reference": "HKPF-NSL-2026-7", "issued_by": "Hong Kong Police Force"},
  "requester_type": "police", "reason": "national_security",
  "items": [{"url": "https://video.example/watch?v=a1", "ground": "National Security Law, art. 23", "quote": "the government lied"},
            {"url": "https://video.example/watch?v=b2", "ground": "National Security Law, art. 23"}]}`)
		if status != 201 || m["status"] != "escalated" || !strings.Contains(fmt.Sprint(m["decision"]), "content.escalate") {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		post := func(token, path, body string) {
			t.Helper()
			if status, b := e.do("POST", "/api/v1/requests/"+id+path, token, strings.NewReader(body)); status != 200 {
				t.Fatalf("%s: %d %s", path, status, b)
			}
		}
		post(e.humanRights, "/human-rights", `{"conclusion": "proceed", "legality": "an order under the NSL", "necessity": "two posts named", "proportionality": "review each"}`)
		post(e.staff, "/items/actions", `{"items": [0, 1], "action": "no_action", "reason": "political criticism; protected speech"}`)
		if status, b := e.do("GET", "/api/v1/actions?since=0", e.platform, nil); status != 200 || strings.Count(string(b), `"action": "no_action"`) != 2 {
			t.Errorf("poll: %d %s", status, b)
		}
		_, b := e.do("GET", "/transparency/2026-H1-removals.csv", "", nil)
		if !strings.Contains(string(b), "\n2026-06-30,Hong Kong,HK,Police,1,2,,,,,100,\n") {
			t.Errorf("removals file:\n%s", b)
		}
	})
}
