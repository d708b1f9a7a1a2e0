package web_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

var (
	queueRowID = regexp.MustCompile(`<td><a href="/console/requests/(DP-[0-9-]+)">`)
	linkHref   = regexp.MustCompile(`href="(/[^"]*)"`)
)

// TestConsoleQueuePagesAndSorts: the queue shows a page at a time with a
// link to the next and the previous, soonest due first unless sorted by
// received, status or number, keeping the filters from page to page.
func TestConsoleQueuePagesAndSorts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest)
		var ids []string
		for i := range 55 {
			// Deadlines run backwards, so that the soonest is the last received.
			b := strings.Replace(body, `"deadline": "2026-04-01"`, fmt.Sprintf(`"deadline": "%s"`, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -i).Format("2006-01-02")), 1)
			status, m := e.submit(e.hk, b)
			if status != 201 {
				t.Fatalf("submit %d: %d %v", i, status, m)
			}
			ids = append(ids, m["id"].(string))
		}
		rae := newBrowser(t, db)
		_, secret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		rae.signIn("rae@example.com", secret)
		rows := func(path string) ([]string, string) {
			t.Helper()
			status, _, page := rae.get(path)
			if status != 200 {
				t.Fatalf("GET %s: %d", path, status)
			}
			var got []string
			for _, m := range queueRowID.FindAllStringSubmatch(page, -1) {
				got = append(got, m[1])
			}
			return got, html.UnescapeString(page)
		}
		// By default, soonest due first.
		first, page := rows("/console?status=in_review")
		if len(first) != 50 || first[0] != ids[54] || !strings.Contains(page, `href="/console?page=2&status=in_review" rel="next"`) || strings.Contains(page, `rel="prev"`) {
			t.Errorf("page 1: %d rows from %v, links: %v", len(first), first[:1], linkHref.FindAllString(page, -1))
		}
		second, page := rows("/console?page=2&status=in_review")
		if len(second) != 5 || second[4] != ids[0] || strings.Contains(page, `rel="next"`) || !strings.Contains(page, `href="/console?status=in_review" rel="prev"`) {
			t.Errorf("page 2: %v; want the last 5 and a link back", second)
		}
		byNumber, _ := rows("/console?sort=id")
		if byNumber[0] != ids[0] || byNumber[1] != ids[1] {
			t.Errorf("sorted by number: %v, want %s first", byNumber[:2], ids[0])
		}
		oldest, _ := rows("/console?sort=received")
		if oldest[0] != ids[0] {
			t.Errorf("oldest first: %v, want %s first", oldest[:2], ids[0])
		}
		if byStatus, _ := rows("/console?sort=status"); len(byStatus) != 50 {
			t.Errorf("sorted by status: %d rows", len(byStatus))
		}
		newest, page := rows("/console?sort=-received")
		if newest[0] != ids[54] || !strings.Contains(page, `href="/console?page=2&sort=-received" rel="next"`) {
			t.Errorf("newest first: %v", newest[:2])
		}
		if status, _, _ := rae.get("/console?sort=colour"); status != 400 {
			t.Errorf("an unknown sort: %d, want 400", status)
		}
		if status, _, _ := rae.get("/console?page=0"); status != 400 {
			t.Errorf("page 0: %d, want 400", status)
		}
	})
}

// TestConsoleLinksOnlyWhatTheRoleMayOpen signs in as each role and
// follows every link of the console's pages: none answers 401 or 403.
func TestConsoleLinksOnlyWhatTheRoleMayOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		// One console for every role, so that the document is in its store.
		b := newBrowser(t, db)
		req, _ := http.NewRequest("POST", b.url+"/api/v1/requests/"+id+"/documents", bytes.NewReader(pdf(2000)))
		req.Header.Set("Authorization", "Bearer "+e.hk)
		req.Header.Set("Content-Type", "application/pdf")
		if status, _, body := b.read(http.DefaultClient.Do(req)); status != 201 {
			t.Fatalf("document: %d %s", status, body)
		}
		for _, role := range dueprocess.Roles {
			if !(&dueprocess.Staff{Roles: []dueprocess.Role{role}}).May(dueprocess.PermConsoleUse) {
				continue // the platform role has no console; TestConsoleRoleMatrix shows it refused
			}
			b.client.Jar, _ = cookiejar.New(nil)
			email := string(role) + "@links.example.com"
			_, secret := staffMember(t, db, email, role)
			b.signIn(email, secret)
			seen := map[string]bool{}
			for _, start := range []string{"/console", "/console/requests/" + id, "/console/jurisdictions", "/console/audit/0"} {
				_, _, page := b.get(start)
				for _, m := range linkHref.FindAllStringSubmatch(page, -1) {
					link := html.UnescapeString(m[1])
					if seen[link] || strings.HasPrefix(link, "/static/") {
						continue
					}
					seen[link] = true
					if status, _, _ := b.get(link); status == 401 || status == 403 || status == 404 {
						t.Errorf("as %s, %s links %s, which answers %d", role, start, link, status)
					}
				}
			}
			if seen["/console/staff"] != (role == dueprocess.RoleAdmin) {
				t.Errorf("as %s: a link to the staff page: %v", role, seen["/console/staff"])
			}
		}
	})
}

// TestConsoleRequestPageTellsTheStory: the request page names people,
// tells its timeline in sentences with a proof for each entry, and does
// not offer the proposer the form that would confirm her own proposal.
func TestConsoleRequestPageTellsTheStory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest))
		id := m["id"].(string)
		rae := newBrowser(t, db)
		_, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
		rae.signIn("rae@example.com", raeSecret)
		csrf := rae.form("/console/requests/" + id)
		if status, _, _ := rae.post("/console/requests/"+id+"/review", url.Values{"csrf": {csrf}, "decision": {"approve"}, "note": {"as the order allows"}}); status != 303 {
			t.Fatalf("review: %d", status)
		}
		_, _, page := rae.get("/console/requests/" + id)
		page = html.UnescapeString(page)
		for _, want := range []string{"Officer (Hong Kong Police Force) submitted the request", "rae proposed: approve", "rae proposed to approve",
			"You made this proposal", `href="/console/audit/`} {
			if !strings.Contains(page, want) {
				t.Errorf("the request page lacks %q", want)
			}
		}
		if strings.Contains(page, `action="/console/requests/`+id+`/approve"`) {
			t.Errorf("the proposer's page offers her the approval form")
		}
		if ids := regexp.MustCompile(`[ >(]st_[0-9a-z]+`).FindAllString(page, -1); len(ids) > 0 || strings.Contains(page, `{"`) {
			t.Errorf("the page shows staff ids %v or raw JSON", ids)
		}
		// Each entry's proof checks; the entry's text is for audit readers.
		index := regexpFind(t, page, `href="/console/audit/([0-9]+)"`)
		_, _, proof := rae.get("/console/audit/" + index)
		if !strings.Contains(proof, "<strong>proved</strong>") || strings.Contains(html.UnescapeString(proof), `"action":`) {
			t.Errorf("the proof page as a reviewer:\n%.2000s", proof)
		}
		// The same console, whose key signs the log's checkpoints.
		aud := rae
		aud.client.Jar, _ = cookiejar.New(nil)
		_, audSecret := staffMember(t, db, "aud@example.com", dueprocess.RoleAuditor)
		aud.signIn("aud@example.com", audSecret)
		if _, _, proof := aud.get("/console/audit/" + index); !strings.Contains(proof, "<strong>proved</strong>") || !strings.Contains(html.UnescapeString(proof), `"action":`) {
			t.Errorf("the proof page as an auditor lacks the entry:\n%.2000s", proof)
		}
		if status, _, _ := aud.get("/console/audit/999999"); status != 404 {
			t.Errorf("a missing entry: %d, want 404", status)
		}
	})
}

// TestConsoleMoves: the console's buttons send a proposal back, escalate,
// and close a rejected request, each with a note on the timeline.
func TestConsoleMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`).Replace(hkRequest))
		id := m["id"].(string)
		rae, ann := newBrowser(t, db), newBrowser(t, db)
		_, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		_, annSecret := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		rae.signIn("rae@example.com", raeSecret)
		ann.signIn("ann@example.com", annSecret)
		post := func(b *browser, action string, form url.Values) (int, string) {
			t.Helper()
			form.Set("csrf", b.form("/console/requests/"+id))
			status, _, page := b.post("/console/requests/"+id+"/"+action, form)
			return status, html.UnescapeString(page)
		}
		statusOf := func() string { _, m := e.request(e.admin, id); return m["status"].(string) }
		post(rae, "review", url.Values{"decision": {"approve"}, "note": {"as the order allows"}})
		if status, _ := post(ann, "send-back", url.Values{"note": {""}}); status != 400 {
			t.Errorf("send back without a note: %d, want 400", status)
		}
		if status, _ := post(ann, "send-back", url.Values{"note": {"the range is too wide"}}); status != 303 || statusOf() != "in_review" {
			t.Errorf("send back: %d, now %s", status, statusOf())
		}
		if status, page := post(rae, "close", url.Values{"note": {"done"}}); status != 409 || !strings.Contains(page, "from in_review it can become") {
			t.Errorf("closing a request in review: %d", status)
		}
		if status, _ := post(rae, "escalate", url.Values{"note": {"the account belongs to a journalist"}}); status != 303 || statusOf() != "escalated" {
			t.Errorf("escalate: %d, now %s", status, statusOf())
		}
		e.do("POST", "/api/v1/requests/"+id+"/human-rights", e.humanRights, strings.NewReader(`{"conclusion": "refuse", "legality": "l", "necessity": "n", "proportionality": "p"}`))
		_, _, page := ann.get("/console/requests/" + id)
		if !strings.Contains(page, `action="/console/requests/`+id+`/close"`) {
			t.Errorf("no close form on a refused request")
		}
		if status, _ := post(ann, "close", url.Values{"note": {"the agency was told"}}); status != 303 || statusOf() != "closed" {
			t.Errorf("close: %d, now %s", status, statusOf())
		}
		_, _, page = ann.get("/console/requests/" + id)
		page = html.UnescapeString(page)
		for _, want := range []string{"ann moved the request from awaiting approval to in review (sent back to review: the range is too wide)",
			"rae moved the request from in review to escalated (escalated by a reviewer: the account belongs to a journalist)",
			"ann moved the request from refused to closed (closed: the agency was told)"} {
			if !strings.Contains(page, want) {
				t.Errorf("the timeline lacks %q", want)
			}
		}
	})
}

// TestConsoleCodeUsedAlready: a code used to sign in, entered again within
// its 30 seconds, is refused with words that say so.
func TestConsoleCodeUsedAlready(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		b.signIn("rae@example.com", secret)
		code := b.code(secret)
		csrf := b.form("/console")
		b.post("/console/signout", url.Values{"csrf": {csrf}})
		csrf = b.form("/console/signin")
		b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {"rae@example.com"}, "password": {adminPassword}})
		csrf = b.form("/console/totp")
		status, _, page := b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {code}})
		if status != 401 || !strings.Contains(html.UnescapeString(page), "That code was used already") {
			t.Errorf("a code used already: %d %q", status, errorText.FindString(page))
		}
		status, _, page = b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {"000000"}})
		if code != "000000" && (status != 401 || !strings.Contains(html.UnescapeString(page), "not right")) {
			t.Errorf("a wrong code: %d %q", status, errorText.FindString(page))
		}
	})
}
