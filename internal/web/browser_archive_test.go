package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestBrowserDemandsArchive opens the public archive of content demands
// in real Chromium: a closed demand is listed with its actions and proof
// links, the search form (no JavaScript) filters by jurisdiction, and the
// page is saved as a screenshot.
func TestBrowserDemandsArchive(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	status, m := e.submit(e.hk, hkNSL)
	if status != 201 {
		t.Fatalf("submit: %d %v", status, m)
	}
	id := m["id"].(string)
	for _, step := range []struct{ token, path, body string }{
		{e.humanRights, "/human-rights", `{"conclusion": "proceed", "legality": "an order under the NSL", "necessity": "two posts", "proportionality": "each reviewed"}`},
		{e.staff, "/items/actions", `{"items": [0, 1], "action": "no_action", "reason": "political criticism; protected speech"}`},
		{e.staff, "/close", `{"note": "every item decided"}`},
	} {
		if status, b := e.do("POST", "/api/v1/requests/"+id+step.path, step.token, strings.NewReader(step.body)); status != 200 {
			t.Fatalf("%s: %d %s", step.path, status, b)
		}
	}
	e.do("GET", "/api/v1/audit/checkpoint", "", nil)
	var text, proof string
	var buf []byte
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.url+"/transparency/demands"),
		chromedp.WaitVisible(`//h1[contains(., "Archive of content demands")]`, chromedp.BySearch),
		chromedp.Text("body", &text, chromedp.ByQuery),
		chromedp.AttributeValue(`//td/a[starts-with(@href, "/api/v1/audit/proof/inclusion")]`, "href", &proof, nil, chromedp.BySearch),
		chromedp.FullScreenshot(&buf, 100),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts(t), "demands-archive.png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{id, "National Security", "political criticism; protected speech", "[quote redacted]"} {
		if !strings.Contains(text, want) {
			t.Errorf("the archive lacks %q", want)
		}
	}
	if strings.Contains(text, "the government lied") || strings.Contains(text, "chan@example.hk") {
		t.Error("the archive shows a quote or an e-mail address")
	}
	if status, _ := e.do("GET", proof, "", nil); status != 200 {
		t.Errorf("proof link %s: %d", proof, status)
	}
	// Search by another jurisdiction with the form: nothing matches.
	err = chromedp.Run(ctx,
		chromedp.SetValue(`input[name="jurisdiction"]`, "DE", chromedp.ByQuery),
		chromedp.Click(`button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "No demand matches")]`, chromedp.BySearch),
	)
	if err != nil {
		t.Fatal(err)
	}
}
