package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

// TestDemoShowsHongKongPause: the demo's report shows Hong Kong's
// disclosures dropping to zero from 2020-H2, and its pause.
func TestDemoShowsHongKongPause(t *testing.T) {
	ctx := context.Background()
	c := &cli{getenv: func(string) string { return "" }, stdout: &discard{}, stderr: &discard{}}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	n, officials, err := seedDemo(ctx, c, db, 2020, now)
	if err != nil || n < 2000 {
		t.Fatalf("demo: %d requests, %v; want a few thousand", n, err)
	}
	if _, _, err := seedDemo(ctx, c, db, 2020, now); err == nil {
		t.Error("the demo filled a database that holds requests")
	}
	hk := func(period string) report.Row {
		counts, err := db.ReportCounts(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		pauses, _ := db.Pauses(ctx, "")
		rep, err := report.Build(period, counts, pauses, report.Checkpoint{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Rows {
			if r.Jurisdiction == "HK" {
				return r
			}
		}
		t.Fatalf("no Hong Kong row in %s", period)
		return report.Row{}
	}
	before, after := hk("2020-H1"), hk("2020-H2")
	if before.UserData.SomeData == 0 || after.UserData.SomeData != 0 || after.Paused == 0 {
		t.Errorf("Hong Kong: 2020-H1 answered %d; 2020-H2 answered %d, paused %d; want a drop to zero",
			before.UserData.SomeData, after.UserData.SomeData, after.Paused)
	}
	if later := hk("2024-H1"); later.ContentRestriction.Requests > 0 && later.ContentRestriction.ItemsActedOn == 0 && later.ContentRestriction.Requests > 3 {
		t.Errorf("Hong Kong's content restriction was not reviewed on: %+v", later.ContentRestriction)
	}
	pauses, _ := db.Pauses(ctx, "HK")
	if len(pauses) != 1 || !pauses[0].StartedAt.Equal(hkPause) {
		t.Errorf("HK pauses: %+v", pauses)
	}
	if _, err := demoStaff(ctx, db, officials); err != nil {
		t.Fatal(err)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }

// TestDemoFlow: the demo leaves a case at every step of the flow, its
// audit log verifies, and every printed account signs in through the
// console's or the portal's real sign-in with the printed TOTP secret.
func TestDemoFlow(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { testDemoFlow(t, storetest.DSN(t, d)) })
	}
}

func testDemoFlow(t *testing.T, dsn string) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "demo-data")
	var out strings.Builder
	c := &cli{getenv: func(string) string { return "" }, stdout: &out, stderr: &discard{}}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	if _, err := fillDemo(ctx, c, dsn, data, "", "127.0.0.1:8080", now); err != nil {
		t.Fatal(err)
	}
	if _, err := fillDemo(ctx, c, dsn, data, "", "127.0.0.1:8080", now); err == nil {
		t.Error("the demo filled a database that holds its accounts")
	}
	printed := out.String()
	for _, want := range []string{demoTOTPSecret, demoPassword, "intake@demo.example", "auditor@demo.example", "hr@demo.example", demoPortalEmail, "Bearer dpt_", "/console"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the demo does not print %q:\n%s", want, printed)
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return now.Add(time.Minute) }
	checkDemoCases(t, db, printed)
	if out, err := cmd(t, nil, "audit", "verify", "--db", dsn, "--data", data); err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Errorf("audit verify: %v\n%s", err, out)
	}
	checkDemoSignIn(t, db, printed)
}

// checkDemoCases finds, in the cases the demo printed, one in each state.
func checkDemoCases(t *testing.T, db *store.DB, printed string) {
	t.Helper()
	ctx := context.Background()
	ids := regexp.MustCompile(`(?m)^  (DP-\d{4}-\d{6})  (.*)$`).FindAllStringSubmatch(printed, -1)
	if len(ids) < 10 {
		t.Fatalf("the demo printed %d cases:\n%s", len(ids), printed)
	}
	byWhat := map[string]*dueprocess.Request{}
	var last time.Time
	for i, m := range ids {
		r, err := db.Request(ctx, m[1])
		if err != nil {
			t.Fatal(err)
		}
		byWhat[strings.Fields(m[2])[0]] = r
		if i > 0 && (m[1] < ids[i-1][1] || r.ReceivedAt.Before(last)) {
			t.Errorf("%s (received %s) follows %s (received %s): ids out of the order of receipt", m[1], r.ReceivedAt, ids[i-1][1], last)
		}
		last = r.ReceivedAt
		// A timeline of several steps, days apart, in order, for a
		// case taken further than its receipt.
		events, err := db.Events(ctx, r.ID)
		if err != nil || len(events) < 1 {
			t.Errorf("%s: %d events, %v", r.ID, len(events), err)
		}
		for j := 1; j < len(events); j++ {
			if events[j].At.Before(events[j-1].At) {
				t.Errorf("%s: event %d at %s before event %d at %s", r.ID, j, events[j].At, j-1, events[j-1].At)
			}
		}
		if strings.HasPrefix(m[2], "disclosed") && (len(events) < 5 || events[len(events)-1].At.Sub(events[0].At) < 24*time.Hour) {
			t.Errorf("%s: %d events from %s to %s; want a timeline of days", r.ID, len(events), events[0].At, events[len(events)-1].At)
		}
		if r.Decision == nil {
			t.Errorf("%s has no stored decision", r.ID)
		}
	}
	want := map[string]dueprocess.Status{
		"disclosed;": dueprocess.StatusDisclosed, "disclosed,": dueprocess.StatusDisclosed,
		"waiting": dueprocess.StatusNarrowingRequested, "escalated": dueprocess.StatusEscalated,
		"proposal": dueprocess.StatusAwaitingApproval, "approved,": dueprocess.StatusApproved, "new,": dueprocess.StatusInReview,
		"EU": dueprocess.StatusInReview, "content": dueprocess.StatusInReview,
	}
	for what, status := range want {
		if r := byWhat[what]; r == nil || r.Status != status {
			t.Errorf("case %q: %+v, want %s", what, r, status)
		}
	}
	if r := byWhat["EU"]; r != nil && r.LegalProcess.Type != dueprocess.ProcessEPOC {
		t.Errorf("the e-Evidence case is a %s", r.LegalProcess.Type)
	}
	if r := byWhat["content"]; r != nil && len(r.Items) < 2 {
		t.Errorf("the content demand has %d items", len(r.Items))
	}
	if r := byWhat["preservation"]; r != nil {
		if holds, err := db.Holds(ctx, dueprocess.HoldFilter{RequestID: r.ID}); err != nil || len(holds) == 0 {
			t.Errorf("preservation %s: %d holds, %v", r.ID, len(holds), err)
		}
	}
	if !regexp.MustCompile(`passphrase: \S{10,}`).MatchString(printed) {
		t.Errorf("the demo does not print the package's passphrase:\n%s", printed)
	}
	if r := byWhat["disclosed,"]; r != nil {
		// Collected from the demo platform through its connectors.
		if files, err := db.Gathered(ctx, r.ID); err != nil || len(files) == 0 {
			t.Errorf("disclosed %s: %d files gathered, %v", r.ID, len(files), err)
		}
		// Still there to download at /portal.
		if p, err := db.Package(ctx, r.ID); err != nil || p == nil {
			t.Errorf("disclosed %s has no package: %v", r.ID, err)
		} else if p.DeletedAt != nil || !p.ExpiresAt.After(db.Now()) {
			t.Errorf("disclosed %s: its package expires at %s, before now", r.ID, p.ExpiresAt)
		}
	}
	if r := byWhat["disclosed;"]; r != nil {
		notices, err := db.Notices(ctx, r.ID)
		if err != nil || len(notices) == 0 || notices[0].Status != dueprocess.NoticeWithheld {
			t.Errorf("notices of %s: %+v, %v; want one withheld", r.ID, notices, err)
		}
	}
}

// checkDemoSignIn signs in as each demo account with the printed
// password and a code of the printed TOTP secret.
func checkDemoSignIn(t *testing.T, db *store.DB, printed string) {
	t.Helper()
	srv := httptest.NewServer(web.New(web.Config{DB: db, Decide: bindPolicy(policy.Default()), Checkpoints: &audit.Checkpointer{}}))
	defer srv.Close()
	checkDemoHoldToken(t, srv.URL, printed)
	type account struct{ realm, email string }
	var accounts []account
	for _, s := range demoStaffList {
		accounts = append(accounts, account{"console", s.email})
	}
	accounts = append(accounts, account{"portal", demoPortalEmail})
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	for _, a := range accounts {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		form := func(path string) string {
			resp, err := client.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			m := csrf.FindSubmatch(b)
			if m == nil {
				t.Fatalf("%s: GET %s: %d, no form", a.email, path, resp.StatusCode)
			}
			return string(m[1])
		}
		post := func(path string, v url.Values) (int, string) {
			resp, err := client.PostForm(srv.URL+path, v)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}
		base := "/" + a.realm
		post(base+"/signin", url.Values{"csrf": {form(base + "/signin")}, "email": {a.email}, "password": {demoPassword}})
		code, err := totp.GenerateCode(demoTOTPSecret, db.Now())
		if err != nil {
			t.Fatal(err)
		}
		if status, loc := post(base+"/totp", url.Values{"csrf": {form(base + "/totp")}, "code": {code}}); status != 303 || strings.Contains(loc, "signin") {
			t.Errorf("%s: signing in with the demo's TOTP secret: %d to %q", a.email, status, loc)
			continue
		}
		// Signed in: the home page opens, not the sign-in page.
		resp, err := client.Get(srv.URL + base)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: GET %s after signing in: %d to %q", a.email, base, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// checkDemoHoldToken asks, with the printed platform token, whether an
// account is held: the preservation case holds bluejay42.
func checkDemoHoldToken(t *testing.T, base, printed string) {
	t.Helper()
	token := regexp.MustCompile(`Bearer (dpt_[A-Za-z0-9_-]+)`).FindStringSubmatch(printed)
	if token == nil {
		t.Fatalf("no platform token printed:\n%s", printed)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/holds/check?type=username&value=bluejay42", nil)
	req.Header.Set("Authorization", "Bearer "+token[1])
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"held": true`) {
			t.Errorf("hold check with the printed token: %d %s", resp.StatusCode, b)
		}
	}
}
