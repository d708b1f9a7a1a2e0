package web_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// seedHistory stores requests from Hong Kong and Germany received over
// three half-years, Hong Kong's answered before July 2020 and held after.
func seedHistory(t *testing.T, e *env) {
	t.Helper()
	hk := mustPrincipal(t, e.db, e.hk)
	de := mustPrincipal(t, e.db, e.de)
	add := func(p *dueprocess.Principal, j string, at time.Time, status dueprocess.Status) {
		r := &dueprocess.Request{Kind: dueprocess.KindUserData, Jurisdiction: j, AgencyID: p.Agency.ID, OfficialID: p.Official.ID,
			LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.ProcessCourtOrder, Reference: "R", IssuedBy: "Court"},
			Targets:        []dueprocess.Target{{Type: dueprocess.TargetUsername, Value: "someone"}},
			DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber}, ReceivedAt: at, Status: status}
		if err := e.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateRequest(ctx, r, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		add(hk, "HK", time.Date(2020, 2, 1+i, 0, 0, 0, 0, time.UTC), dueprocess.StatusDisclosed)
		add(hk, "HK", time.Date(2020, 9, 1+i, 0, 0, 0, 0, time.UTC), dueprocess.StatusPaused)
		add(de, "DE", time.Date(2020, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC), dueprocess.StatusDisclosed)
		add(de, "DE", time.Date(2021, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC), dueprocess.StatusNoData)
	}
}

func TestTransparencyPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		seedHistory(t, e)
		status, page := e.do("GET", "/transparency?period=2020-H2", "", nil)
		s := string(page)
		if status != 200 || !strings.Contains(s, "Transparency report, 2020-H2") || strings.Count(s, "<svg") != 3 || !strings.Contains(s, "No content-restriction demands in this period.") ||
			!strings.Contains(s, "Hong Kong") || strings.Contains(s, "<script") || strings.Contains(s, "http://") && !strings.Contains(s, "http://www.w3.org/2000/svg") {
			t.Fatalf("page: %d\n%.2000s", status, s)
		}
		if status, _ := e.do("GET", "/transparency?period=2020-H3", "", nil); status != 400 {
			t.Errorf("a bad period: %d, want 400", status)
		}
		status, csvBody := e.do("GET", "/transparency/2020-H2.csv", "", nil)
		if status != 200 || !strings.HasPrefix(string(csvBody), report.GoogleHeader+"\n") ||
			!strings.Contains(string(csvBody), "2020-12-31,Hong Kong,HK,Other Court Orders,6,0,6") {
			t.Errorf("csv: %d\n%s", status, csvBody)
		}
		status, js := e.do("GET", "/transparency/2020-H1.json", "", nil)
		var rep report.Report
		if status != 200 || json.Unmarshal(js, &rep) != nil || rep.Total.UserData.Requests != 12 || rep.Checkpoint.Size == 0 {
			t.Errorf("json: %d %.500s", status, js)
		}
		if status, meta := e.do("GET", "/transparency/2020-H2-meta.csv", "", nil); status != 200 || !strings.HasPrefix(string(meta), report.MetaHeader+"\n") ||
			!strings.Contains(string(meta), "\nHong Kong,0,0,6,0,6,0%") {
			t.Errorf("meta csv: %d\n%s", status, meta)
		}
		if status, _ := e.do("GET", "/transparency/2020-H2.xml", "", nil); status != 404 {
			t.Errorf("an unknown format: %d, want 404", status)
		}
		n, pct := int64(202), 0.0
		err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.ImportPeerFigures(ctx, "meta", []store.PeerFile{{Name: "meta.csv", Figures: []published.Figure{
				{Company: "meta", Period: "2020-H1", Jurisdiction: "HK", LegalProcess: "total", Requests: &n, PercentSomeData: &pct}}}}, dueprocess.System)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, sorted := e.do("GET", "/transparency?period=2020-H1&sort=requests&jurisdiction=HK", "", nil)
		if !strings.Contains(string(sorted), "<td>meta</td><td>total</td><td>202</td>") {
			t.Errorf("peers' figures are not beside ours")
		}
		if !strings.Contains(string(sorted), "Hong Kong: User-data requests") {
			t.Errorf("the jurisdiction's trend is missing")
		}
	})
}

// TestBrowserTransparency renders the public page in Chromium and saves a
// screenshot.
func TestBrowserTransparency(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	now := time.Date(2020, 9, 10, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	e := newEnv(t, db)
	seedHistory(t, e)
	var title string
	var shot []byte
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.url+"/transparency?period=2020-H2&jurisdiction=HK"),
		chromedp.WaitVisible(`figure svg`, chromedp.ByQuery),
		chromedp.Text(`h1`, &title, chromedp.ByQuery),
		chromedp.FullScreenshot(&shot, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "2020-H2") {
		t.Errorf("title %q", title)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "08-transparency.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	// Content demands of the period: the page's content section, its own
	// chart and tables, in a screenshot of its own.
	for i, requester := range []string{"police", "government_officials"} {
		body := strings.Replace(strings.Replace(contentWith(3, []string{"defamation", "hate_speech"}[i], 0), `"police"`, `"`+requester+`"`, 1), "HCA-2026-77", fmt.Sprint("HK-B-", i), 1)
		status, m := e.submit(e.hk, body)
		if status != 201 {
			t.Fatalf("submit: %d %v", status, m)
		}
		path := "/api/v1/requests/" + m["id"].(string) + "/items/"
		if status, b := e.do("POST", path+"actions", e.staff, strings.NewReader(`{"items": [0, 1], "action": "restrict_in_jurisdiction", "reason": "court judgment"}`)); status != 200 {
			t.Fatalf("actions: %d %s", status, b)
		}
		if status, b := e.do("POST", path+"confirm", e.approver, strings.NewReader(`{"items": [0, 1], "note": "checked"}`)); status != 200 {
			t.Fatalf("confirm: %d %s", status, b)
		}
	}
	var section string
	err = chromedp.Run(ctx,
		chromedp.Navigate(e.url+"/transparency?period=2020-H2"),
		chromedp.WaitVisible(`#content-restriction figure svg`, chromedp.ByQuery),
		chromedp.Text(`#content-restriction`, &section, chromedp.ByQuery),
		chromedp.ScrollIntoView(`#content-restriction`, chromedp.ByQuery),
		chromedp.Screenshot(`#content-restriction`, &shot, chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(section, "Government Officials") || !strings.Contains(section, "Hate Speech") {
		t.Errorf("content section: %q", section)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "08-transparency-content.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
