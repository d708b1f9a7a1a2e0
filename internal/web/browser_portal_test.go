package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestBrowserPortal drives the portal in real Chromium: an intake clerk
// invites an official from the console; the official follows the link,
// chooses a password, enrols an authenticator app and submits a request
// with its PDF through the form, attesting to their official capacity,
// and finds it in the agency's list. Staff approve it with four eyes and
// release a file; the official reads the answer and downloads the
// package, once, and opens it with the passphrase staff gave.
func TestBrowserPortal(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	e := newEnv(t, db)
	shots := artifacts(t)
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			short, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			chromedp.Run(short, shot("portal-failed-"+strings.ReplaceAll(what, " ", "-")))
			t.Fatalf("%s: %v (see %s)", what, err, shots)
		}
	}
	heading := func(text string) chromedp.Action {
		return chromedp.WaitVisible(`//h1[contains(., "`+text+`")]`, chromedp.BySearch)
	}
	file := filepath.Join(t.TempDir(), "production-order.pdf")
	if err := os.WriteFile(file, pdf(4000), 0o644); err != nil {
		t.Fatal(err)
	}

	// The intake clerk invites Officer Chan of the Hong Kong Police Force.
	_, ivySecret := staffMember(t, db, "ivy@example.com", dueprocess.RoleIntake)
	code, _ := totp.GenerateCode(ivySecret, time.Now())
	var link string
	run("invite",
		chromedp.Navigate(e.url+"/console/signin"), heading("Sign in"),
		chromedp.SendKeys(`#email`, "ivy@example.com", chromedp.ByID),
		chromedp.SendKeys(`#password`, adminPassword, chromedp.ByID),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Authentication code"),
		chromedp.SendKeys(`#code`, code, chromedp.ByID),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Queue"),
		chromedp.Click(`a[href="/console/officials"]`, chromedp.ByQuery), heading("Officials"),
		chromedp.SetValue(`#agency_id`, e.hkID, chromedp.ByID),
		chromedp.SendKeys(`#name`, "Officer Chan", chromedp.ByID),
		chromedp.SendKeys(`#email`, "chan@police.gov.hk", chromedp.ByID),
		chromedp.Click(`form[action="/console/officials/invite"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#invite-link`, chromedp.ByID),
		chromedp.Text(`#invite-link`, &link, chromedp.ByID),
		shot("portal-01-invitation"),
		chromedp.Click(`form[action="/console/signout"] button`, chromedp.ByQuery), heading("Sign in"))
	if !strings.Contains(link, "/portal/join?token=") {
		t.Fatalf("the invitation's link: %q", link)
	}

	// The official signs up and enrols an authenticator app.
	var secret string
	run("sign up",
		chromedp.Navigate(strings.TrimSpace(link)), heading("Create your portal account"),
		chromedp.SendKeys(`#password`, officialPassword, chromedp.ByID),
		shot("portal-02-join"),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Set up your authenticator app"),
		chromedp.Text(`figcaption code`, &secret, chromedp.ByQuery),
		shot("portal-03-enrol"))
	code, err := totp.GenerateCode(strings.TrimSpace(secret), time.Now())
	if err != nil {
		t.Fatalf("the page's secret %q: %v", secret, err)
	}
	run("enrol",
		chromedp.SendKeys(`#code`, code, chromedp.ByID),
		chromedp.Click(`form[action="/portal/enrol"] button`, chromedp.ByQuery),
		heading("Requests"))

	// The official submits a request with its PDF.
	var id, page string
	run("submit",
		chromedp.Click(`a[href="/portal/new"]`, chromedp.ByQuery), heading("New request"),
		chromedp.SetValue(`#kind`, "user_data", chromedp.ByID),
		chromedp.SetValue(`#process_type`, "court_order", chromedp.ByID),
		chromedp.SendKeys(`#process_reference`, "HKPF-2026-0113", chromedp.ByID),
		chromedp.SendKeys(`#process_issued_by`, "Eastern Magistrates' Court", chromedp.ByID),
		chromedp.SetValue(`#process_issued_on`, "2026-03-01", chromedp.ByID),
		chromedp.SendKeys(`#offence_category`, "fraud", chromedp.ByID),
		chromedp.SendKeys(`#target_value_0`, "scammer42", chromedp.ByID),
		chromedp.Click(`input[name=data_categories][value=subscriber]`, chromedp.ByQuery),
		chromedp.Click(`input[name=data_categories][value=ip_logs]`, chromedp.ByQuery),
		chromedp.SetValue(`#deadline`, "2026-12-01", chromedp.ByID),
		chromedp.SetUploadFiles(`#file`, []string{file}, chromedp.ByID),
		chromedp.Click(`#attest`, chromedp.ByID),
		shot("portal-04-form"),
		chromedp.Click(`form[action="/portal/requests"] > button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.flash`, chromedp.ByQuery),
		chromedp.Text(`h1`, &id, chromedp.ByQuery),
		chromedp.Text(`main`, &page, chromedp.ByQuery),
		shot("portal-05-submitted"),
		chromedp.Click(`a[href="/portal"]`, chromedp.ByQuery), heading("Requests"),
		shot("portal-06-list"))
	id = strings.Fields(id)[0]
	if !strings.Contains(page, "production-order.pdf") || !strings.Contains(page, "official capacity") {
		t.Errorf("the submitted request's page: %q", page)
	}
	req, err := db.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if req.Attestation == nil || len(req.Documents) != 1 || req.Documents[0].Filename != "production-order.pdf" {
		t.Errorf("the stored request: attestation %v, documents %v", req.Attestation, req.Documents)
	}

	passphrase := releaseTo(t, e, id)

	// The official reads the answer and downloads the package, once.
	downloads := t.TempDir()
	var answer string
	run("download",
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads),
		chromedp.Navigate(e.url+"/portal/requests/"+id), chromedp.WaitVisible(`#answer`, chromedp.ByID),
		chromedp.ScrollIntoView(`#answer`, chromedp.ByID),
		chromedp.Text(`main`, &answer, chromedp.ByQuery),
		shot("portal-07-answer"),
		chromedp.Click(`#download`, chromedp.ByID))
	if !strings.Contains(answer, "can be downloaded once") {
		t.Errorf("the answer's page does not say the download works once: %q", answer)
	}
	pkg := waitForFile(t, downloads, id+".tar.age")
	opened, err := seal.Open(bytes.NewReader(pkg), mustScrypt(t, passphrase))
	if err != nil || len(opened.Files) != 1 {
		t.Fatalf("the downloaded package does not open with the passphrase: %v", err)
	}
	run("downloaded",
		chromedp.Navigate(e.url+"/portal/requests/"+id), chromedp.WaitVisible(`#answer`, chromedp.ByID),
		chromedp.Text(`main`, &answer, chromedp.ByQuery),
		shot("portal-08-downloaded"))
	if !strings.Contains(answer, "can no longer be downloaded") {
		t.Errorf("after the download the page does not say it is gone: %q", answer)
	}
}

// releaseTo has the env's reviewer and approver, on the case, approve
// request id with four eyes, add a file by hand and release it; it
// returns the one-time passphrase (the official has no age key).
func releaseTo(t *testing.T, e *env, id string) string {
	t.Helper()
	e.assign(id, e.staff)
	e.assign(id, e.approver)
	if status, b := e.do("POST", "/api/v1/requests/"+id+"/review", e.staff, strings.NewReader(`{"decision": "approve", "note": "as the order allows"}`)); status != 200 {
		t.Fatalf("review: %d %s", status, b)
	}
	if status, b := e.do("POST", "/api/v1/requests/"+id+"/approve", e.approver, strings.NewReader(`{"note": "four eyes"}`)); status != 200 {
		t.Fatalf("approve: %d %s", status, b)
	}
	if status, m := e.post("/api/v1/requests/"+id+"/files?category=subscriber&name=subscriber.csv", e.staff, "account\nscammer42\n"); status != 201 {
		t.Fatalf("add a file: %d %v", status, m)
	}
	status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, "")
	if status != 200 || m["passphrase"] == nil {
		t.Fatalf("release: %d %v", status, m)
	}
	return m["passphrase"].(string)
}

// waitForFile waits (up to 30 s) for the browser to finish downloading
// name into dir, and returns its bytes.
func waitForFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	for range 300 {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && len(b) > 0 {
			return b
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no %s downloaded into %s (it holds %v)", name, dir, entries)
	return nil
}

func mustScrypt(t *testing.T, passphrase string) age.Identity {
	t.Helper()
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
