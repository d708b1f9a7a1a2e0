package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestBrowserPortal drives the portal in real Chromium: an intake clerk
// invites an official from the console; the official follows the link,
// chooses a password, enrols an authenticator app and submits a request
// with its PDF through the form, attesting to their official capacity,
// and finds it in the agency's list.
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
}
