package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// chrome starts headless Chromium for a browser test, as Debian packages
// it; scripts/test installs it when missing. Under CI=true a missing
// Chromium fails the test instead of skipping it.
func chrome(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required under CI=true; scripts/test installs it (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed; run scripts/test, which installs it, or apt-get install -y chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// Generous: on a busy machine the same steps take several times longer.
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// artifacts is where browser tests save their screenshots: $DUEPROCESS_ARTIFACTS,
// or artifacts/browser at the repository's root.
func artifacts(t *testing.T) string {
	dir := os.Getenv("DUEPROCESS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserConsole drives the console in real Chromium: the first
// administrator is created from the setup link and signs in with a TOTP
// code; a reviewer works the queue and proposes an approval, is refused
// when she tries to approve it herself, and a second person approves; the
// administrator pauses and resumes a jurisdiction.
func TestBrowserConsole(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	// The server's clock runs ahead when the test says so, so that a
	// second sign-in by one person needs no wait for a fresh TOTP code.
	var ahead atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	db.Now = now
	e := newEnv(t, db)
	shots := artifacts(t)
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.FullScreenshot(&buf, 100).Do(ctx); err != nil { // quality 100: PNG
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		})
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			// Leave a picture of where it stopped.
			short, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			chromedp.Run(short, shot("failed-"+strings.ReplaceAll(what, " ", "-")))
			t.Fatalf("%s: %v (see %s)", what, err, shots)
		}
	}
	heading := func(text string) chromedp.Action {
		return chromedp.WaitVisible(`//h1[contains(., "`+text+`")]`, chromedp.BySearch)
	}
	signIn := func(email, secret string) {
		t.Helper()
		run("sign in as "+email,
			chromedp.Navigate(e.url+"/console/signin"), heading("Sign in"),
			chromedp.SendKeys(`#email`, email, chromedp.ByID),
			chromedp.SendKeys(`#password`, adminPassword, chromedp.ByID),
			chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
			heading("Authentication code"))
		code, _ := totp.GenerateCode(secret, now())
		run("code for "+email,
			chromedp.SendKeys(`#code`, code, chromedp.ByID),
			chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
			heading("Queue"))
	}
	signOut := chromedp.Tasks{chromedp.Click(`form[action="/console/signout"] button`, chromedp.ByQuery), heading("Sign in")}

	// First run: the setup link, then enrolment of the authenticator app.
	setup := "browser-setup-secret"
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSetupToken(ctx, auth.HashToken(setup)) }); err != nil {
		t.Fatal(err)
	}
	var secret string
	run("setup",
		chromedp.Navigate(e.url+"/console/setup?token="+setup), heading("Create the first administrator"),
		chromedp.SendKeys(`#name`, "Ada Admin", chromedp.ByID),
		chromedp.SendKeys(`#email`, "ada@example.com", chromedp.ByID),
		chromedp.SendKeys(`#password`, adminPassword, chromedp.ByID),
		shot("01-setup"),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Sign in"),
		chromedp.SendKeys(`#email`, "ada@example.com", chromedp.ByID),
		chromedp.SendKeys(`#password`, adminPassword, chromedp.ByID),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Set up your authenticator app"),
		chromedp.Text(`figcaption code`, &secret, chromedp.ByQuery),
		shot("02-enrol"))
	code, err := totp.GenerateCode(strings.TrimSpace(secret), now())
	if err != nil {
		t.Fatalf("the page's secret %q: %v", secret, err)
	}
	run("enrol",
		chromedp.SendKeys(`#code`, code, chromedp.ByID),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery),
		heading("Queue"))
	run("sign out", signOut)

	// A request to work, and two more staff members.
	_, m := e.submit(e.hk, strings.Replace(with("offence", map[string]string{"category": "fraud"}), `"subpoena"`, `"court_order"`, 1))
	id := m["id"].(string)
	if m["status"] != "in_review" {
		t.Fatalf("the request to work is %v, want in_review: %v", m["status"], m["decision"])
	}
	_, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
	_, annSecret := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)

	signIn("rae@example.com", raeSecret)
	var refusal string
	run("review",
		chromedp.SetValue(`select[name=status]`, "in_review", chromedp.ByQuery),
		chromedp.Click(`form.filters button`, chromedp.ByQuery),
		// Wait for the filtered page itself, not the link on the page
		// before it, which a click could hit just as it goes away.
		chromedp.WaitReady(`//select[@name="status"]/option[@selected and .="in_review"]`, chromedp.BySearch),
		chromedp.WaitVisible(`a[href="/console/requests/`+id+`"]`, chromedp.ByQuery),
		shot("03-queue"),
		chromedp.Click(`a[href="/console/requests/`+id+`"]`, chromedp.ByQuery),
		heading(id),
		chromedp.Click(`form[action$="/assign"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//li[contains(., "demosisto")]`, chromedp.BySearch),
		chromedp.Click(`input[name=decision][value=approve]`, chromedp.ByQuery),
		chromedp.SendKeys(`#note`, "Subscriber records and IP logs, as the court order allows.", chromedp.ByID),
		chromedp.Click(`form[action$="/review"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//h2[contains(., "Approval")]`, chromedp.BySearch),
		// The proposer is not offered the form that would confirm her own
		// proposal; the page says who must (TestConsolePages posts it
		// anyway and gets the four-eyes refusal).
		chromedp.Text(`//h2[contains(., "Approval")]/following-sibling::p[contains(., "four eyes")]`, &refusal, chromedp.BySearch),
		shot("04-four-eyes"),
	)
	if !strings.Contains(refusal, "You made this proposal") {
		t.Errorf("the proposer sees %q, want to be told that another approver must confirm", refusal)
	}
	run("sign out", signOut)

	signIn("ann@example.com", annSecret)
	var status string
	run("approve",
		chromedp.Navigate(e.url+"/console/requests/"+id), heading(id),
		chromedp.SendKeys(`#approve-note`, "Checked the order and the agency's callback.", chromedp.ByID),
		chromedp.Click(`form[action$="/approve"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.flash`, chromedp.ByQuery),
		chromedp.Text(`h1 .status`, &status, chromedp.ByQuery),
		shot("05-approved"))
	if status != "approved" {
		t.Errorf("after the second person's approval: %q", status)
	}
	run("sign out", signOut)

	// The administrator pauses and resumes Hong Kong, signing in again a
	// TOTP period later.
	ahead.Add(int64(30 * time.Second))
	signIn("ada@example.com", strings.TrimSpace(secret))
	var paused, history string
	run("pause",
		chromedp.Click(`a[href="/console/jurisdictions"]`, chromedp.ByQuery), heading("Jurisdictions"),
		chromedp.SendKeys(`#code`, "HK", chromedp.ByID),
		chromedp.SendKeys(`#reason`, "National Security Law in force; human-rights due diligence", chromedp.ByID),
		chromedp.Click(`input[name=kinds][value=user_data]`, chromedp.ByQuery),
		chromedp.Click(`input[name=kinds][value=preservation]`, chromedp.ByQuery),
		chromedp.Click(`input[name=kinds][value=emergency]`, chromedp.ByQuery),
		chromedp.Click(`form[action="/console/jurisdictions/pause"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`p.flash`, chromedp.ByQuery),
		chromedp.Text(`main table`, &paused, chromedp.ByQuery),
		shot("06-paused"),
		chromedp.SendKeys(`form[action="/console/jurisdictions/HK/resume"] input[name=reason]`, "Due diligence complete", chromedp.ByQuery),
		chromedp.Click(`form[action="/console/jurisdictions/HK/resume"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "No jurisdiction is paused")]`, chromedp.BySearch),
		chromedp.Text(`main`, &history, chromedp.ByQuery),
		shot("07-resumed"))
	if !strings.Contains(paused, "HK") || !strings.Contains(paused, "user_data, preservation, emergency requests") {
		t.Errorf("pauses in force: %q", paused)
	}
	if !strings.Contains(history, "Due diligence complete") {
		t.Errorf("history after resuming: %q", history)
	}
}
